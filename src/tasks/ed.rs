//! `ed`: edit distance with a chain of thought (TASKS.md).
//!
//! Prompt `s1 | s2 <sep>`; CoT rows `i = 1..|s1|`, each `D[i][1] … D[i][|s2|] ,`, then
//! `<sep>`; answer `D[|s1|][|s2|]`. Insert = delete = 2, substitute = 3, and the boundary is
//! `D[i][0] = i`, `D[0][j] = j`, as in the reference data set.

use super::error::malformed;
use super::{
    Cell, CellTrace, Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind,
    TaskRng, Vocab,
};

pub const MIN_SIZE: usize = 3;
pub const MAX_SIZE: usize = 20;
/// The second string's length stays within `[n − 3, n + 2]`.
pub const LONGER_BY: usize = 2;
pub const SHORTER_BY: usize = 3;
/// Largest DP value: `D ≤ |s2| + 2|s1| ≤ (n + 2) + 2n` at `n = 20`. (TASKS.md's `0..59` is
/// too small for n = 20; 62 is the bound.)
pub const MAX_VALUE: usize = (MAX_SIZE + LONGER_BY) + 2 * MAX_SIZE;
pub const INSERT: u32 = 2;
pub const DELETE: u32 = 2;
pub const SUBSTITUTE: u32 = 3;
pub const SEP: &str = "<sep>";

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Ed,
    name: "ed",
    title: "Edit distance",
    size_meaning: "length of the generating string",
    min_size: MIN_SIZE,
    max_size: MAX_SIZE,
    default_size: 6,
    chain_of_thought: true,
    paper: Paper::EfficientTransformers,
    tests: "dynamic programming over a 2-D table (edit distance)",
    claim: "The model writes the edit-distance table row by row. Every cell needs its upper \
            neighbour a whole row back, so sparse and linear transformers need width growing \
            with the string length (Yang et al.), while a standard transformer of fixed size \
            suffices.",
    params: &[],
    locality: Locality::PreviousRow,
};

/// The full DP table `D[0..=|a|][0..=|b|]`.
pub fn dp_table(a: &[u8], b: &[u8]) -> Vec<Vec<u32>> {
    let mut d = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i as u32;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j as u32;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let sub = if a[i - 1] == b[j - 1] { 0 } else { SUBSTITUTE };
            d[i][j] = (d[i - 1][j - 1] + sub)
                .min(d[i - 1][j] + DELETE)
                .min(d[i][j - 1] + INSERT);
        }
    }
    d
}

/// The edit-distance task at one size (length of the generating string).
#[derive(Debug, Clone)]
pub struct Ed {
    base: TaskBase,
}

impl Ed {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        // Prompt `a | b <sep>`, n rows of m values and a comma, `<sep>`, the answer.
        let longest = |n| {
            let m = n + LONGER_BY;
            (n + 1 + m + 1) + n * (m + 1) + 1 + 1
        };
        let base = TaskBase::new(&INFO, n, Self::vocabulary(), longest)?;
        Ok(Self { base })
    }

    /// `<pad> a … z | , <sep> 0 … 62`.
    pub fn vocabulary() -> Vocab {
        let letters = (b'a'..=b'z').map(|c| (c as char).to_string());
        let marks = ["|", ",", SEP].map(String::from);
        let numbers = (0..=MAX_VALUE).map(|v| v.to_string());
        Vocab::new(letters.chain(marks).chain(numbers))
    }

    /// Two strings per TASKS.md, shorter first.
    fn sample_strings(&self, rng: &mut TaskRng) -> (Vec<u8>, Vec<u8>) {
        let n = self.base.size;
        let size = rng.range(3, 10) as usize;
        let alphabet = rng.distinct(0, 25, size);
        let letter = |rng: &mut TaskRng| alphabet[rng.index(alphabet.len())] as u8;
        let (lo, hi) = (n.saturating_sub(SHORTER_BY).max(1), n + LONGER_BY);
        let a: Vec<u8> = (0..n).map(|_| letter(rng)).collect();
        let b = if rng.chance(2, 5) {
            let len = rng.range(lo as u32, hi as u32) as usize;
            (0..len).map(|_| letter(rng)).collect()
        } else {
            let mut b = a.clone();
            let edits = rng.range(1, n as u32);
            for _ in 0..edits {
                match rng.index(3) {
                    0 if b.len() < hi => {
                        let at = rng.index(b.len() + 1);
                        let c = letter(rng);
                        b.insert(at, c);
                    }
                    1 if b.len() > lo => {
                        let at = rng.index(b.len());
                        b.remove(at);
                    }
                    // A substitution (also when an insert/delete would leave the length range).
                    _ => {
                        let at = rng.index(b.len());
                        let old = b[at];
                        let others: Vec<u8> = alphabet
                            .iter()
                            .map(|&c| c as u8)
                            .filter(|&c| c != old)
                            .collect();
                        b[at] = others[rng.index(others.len())];
                    }
                }
            }
            b
        };
        if b.len() < a.len() { (b, a) } else { (a, b) }
    }

    fn example_for(&self, a: &[u8], b: &[u8]) -> Example {
        let id = |t: &str| self.base.vocab.id(t).expect("token in vocabulary");
        let letter = |c: u8| id(&((b'a' + c) as char).to_string());
        let num = |v: u32| id(&v.to_string());
        let mut prompt: Vec<u32> = a.iter().map(|&c| letter(c)).collect();
        prompt.push(id("|"));
        prompt.extend(b.iter().map(|&c| letter(c)));
        prompt.push(id(SEP));
        let p = prompt.len();
        let (n, m) = (a.len(), b.len());
        // Position of D[i][j] (i, j ≥ 1) in the sequence: rows of m values and a comma.
        let at = |i: usize, j: usize| p + (i - 1) * (m + 1) + (j - 1);
        let d = dp_table(a, b);
        let mut cot = Vec::with_capacity(n * (m + 1) + 1);
        let mut trace = Vec::with_capacity(n * (m + 1) + 2);
        for (i, row) in d.iter().enumerate().skip(1) {
            for (j, &value) in row.iter().enumerate().skip(1) {
                cot.push(num(value));
                let deps = [(i - 1, j), (i, j - 1), (i - 1, j - 1)];
                trace.push(CellTrace {
                    cell: Some(Cell::two(i, j)),
                    deps: deps.iter().map(|&(r, c)| Cell::two(r, c)).collect(),
                    dep_positions: deps
                        .iter()
                        .filter(|&&(r, c)| r >= 1 && c >= 1)
                        .map(|&(r, c)| at(r, c))
                        .collect(),
                });
            }
            cot.push(id(","));
            trace.push(CellTrace::none());
        }
        cot.push(id(SEP));
        trace.push(CellTrace::none());
        trace.push(CellTrace {
            cell: None,
            deps: vec![Cell::two(n, m)],
            dep_positions: vec![at(n, m)],
        });
        Example::from_parts(prompt, &cot, &[num(d[n][m])], trace)
    }
}

impl Task for Ed {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        let (a, b) = self.sample_strings(rng);
        self.example_for(&a, &b)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let text: Vec<&str> = prompt.iter().map(|&t| self.base.vocab.text(t)).collect();
        if text.last() != Some(&SEP) {
            return Err(malformed("the prompt must end with <sep>"));
        }
        let body = &text[..text.len() - 1];
        let bar = body
            .iter()
            .position(|&t| t == "|")
            .ok_or_else(|| malformed("the two strings must be separated by `|`"))?;
        let letters = |part: &[&str]| {
            part.iter()
                .map(|t| match t.as_bytes() {
                    [c @ b'a'..=b'z'] => Ok(c - b'a'),
                    _ => Err(malformed(format!("`{t}` is not a letter a..z"))),
                })
                .collect::<Result<Vec<u8>, _>>()
        };
        let a = letters(&body[..bar])?;
        let b = letters(&body[bar + 1..])?;
        if a.is_empty() || b.is_empty() {
            return Err(malformed("both strings must be non-empty"));
        }
        if a.len() > b.len() {
            return Err(malformed("the shorter string comes first"));
        }
        if a.len() > MAX_SIZE || b.len() > MAX_SIZE + LONGER_BY {
            return Err(malformed(format!(
                "strings too long: at most {MAX_SIZE} and {} letters",
                MAX_SIZE + LONGER_BY
            )));
        }
        Ok(self.example_for(&a, &b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_from_tasks_md() {
        let task = Ed::new(6).unwrap();
        let ex = task
            .solve_text("g t g q g e | j t t l g o j <sep>")
            .unwrap();
        assert_eq!(
            task.render(&ex),
            "g t g q g e | j t t l g o j <sep> 3 4 5 6 4 6 8 , 4 3 4 6 6 7 9 , 5 5 6 7 6 8 10 , \
             6 7 8 9 8 9 11 , 7 9 10 11 9 11 12 , 8 10 12 13 11 12 14 , <sep> 14"
        );
    }

    #[test]
    fn malformed_prompts_are_errors() {
        let task = Ed::new(6).unwrap();
        for bad in [
            "a b c | a b",
            "a b c a b <sep>",
            "| a b <sep>",
            "a b c | a b <sep>",
            "a 3 | a b c <sep>",
            "a | b | c <sep>",
        ] {
            assert!(task.solve_text(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn trace_points_at_neighbours() {
        let task = Ed::new(3).unwrap();
        let ex = task.solve_text("a b | a b c <sep>").unwrap();
        // Row 2, column 2 reads (1,2), (2,1), (1,1): positions p+1, p+4, p+0 with p = 7.
        let k = 4 + 1; // row 1 has 3 values and a comma
        assert_eq!(ex.trace[k].cell, Some(Cell::two(2, 2)));
        assert_eq!(ex.trace[k].dep_positions, vec![8, 11, 7]);
    }
}
