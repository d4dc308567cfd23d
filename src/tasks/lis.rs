//! `lis`: longest increasing subsequence with a chain of thought (TASKS.md).
//!
//! Prompt `x_1 … x_n <sep>`, CoT `dp_1 … dp_n <sep>`, answer `max dp`, where `dp_i` is the
//! length of the longest strictly increasing subsequence ending at position `i`. Numbers are
//! drawn from `[n+1, 249]` so they never collide with DP values `1..=n`.

use super::{
    Cell, CellTrace, Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind,
    TaskRng, Vocab,
};

/// Largest number token.
pub const MAX_VALUE: u32 = 249;
/// Supported sizes (sequence length n).
pub const MIN_SIZE: usize = 3;
pub const MAX_SIZE: usize = 100;
/// Separator token text.
pub const SEP: &str = "<sep>";

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Lis,
    name: "lis",
    title: "Longest increasing subsequence",
    size_meaning: "sequence length n",
    min_size: MIN_SIZE,
    max_size: MAX_SIZE,
    default_size: 5,
    chain_of_thought: true,
    paper: Paper::EfficientTransformers,
    tests: "dynamic programming with global dependencies (longest increasing subsequence)",
    claim: "A transformer writing the DP row dp₁ … dpₙ solves LIS, but each cell may depend on \
            any earlier one. Yang et al. prove sparse and linear transformers then need a hidden \
            size growing with n (Ω(√L)): efficient attention saves no computation here.",
    params: &[],
    locality: Locality::Global,
};

/// The LIS task at one size.
#[derive(Debug, Clone)]
pub struct Lis {
    base: TaskBase,
}

impl Lis {
    /// LIS over sequences of length `n` (`3..=100`).
    pub fn new(n: usize) -> Result<Self, TaskError> {
        // Every sequence of this size has length `n + 1 + n + 1 + 1`.
        let base = TaskBase::new(&INFO, n, Self::vocabulary(), |n| 2 * n + 3)?;
        Ok(Self { base })
    }

    /// The LIS vocabulary, the same for every size: `<pad> <sep> 1 … 249`.
    pub fn vocabulary() -> Vocab {
        Vocab::new(std::iter::once(SEP.to_string()).chain((1..=MAX_VALUE).map(|v| v.to_string())))
    }

    /// The numbers of one random prompt: 1 to 3 planted increasing runs of total length
    /// `3..=n−1` (2 at n = 3), the other positions uniform in `[n+1, 249]`. The planted runs
    /// never cover the whole prompt, so the trivial row `1 2 … n` appears only when the free
    /// positions happen to fit (≈ 12 % of rows at n = 4, 1.2 % at 8, 0.2 % at 16; with runs
    /// of length up to n it was 28 %, 6.7 % and 2.6 %, and every model learned
    /// `dp_i = dp_{i−1} + 1`).
    pub fn sample_numbers(&self, rng: &mut TaskRng) -> Vec<u32> {
        let n = self.base.size;
        let lo = n as u32 + 1;
        let mut xs: Vec<u32> = (0..n).map(|_| rng.range(lo, MAX_VALUE)).collect();
        let most = n as u32 - 1;
        let planted = rng.range(3.min(most), most) as usize;
        let runs = rng.range(1, 3.min(planted as u32)) as usize;
        let mut positions = rng.distinct(0, n as u32 - 1, planted);
        positions.sort_unstable();
        // Cut the planted positions into `runs` non-empty consecutive groups.
        let mut cuts = rng.distinct(1, planted as u32 - 1, runs - 1);
        cuts.sort_unstable();
        let mut bounds = vec![0usize];
        bounds.extend(cuts.iter().map(|&c| c as usize));
        bounds.push(planted);
        for w in bounds.windows(2) {
            let group = &positions[w[0]..w[1]];
            let mut values = rng.distinct(lo, MAX_VALUE, group.len());
            values.sort_unstable();
            for (&p, &v) in group.iter().zip(&values) {
                xs[p as usize] = v;
            }
        }
        xs
    }

    /// The full example (prompt, CoT, answer, trace) for the given numbers.
    pub fn example_for(&self, xs: &[u32]) -> Example {
        let dp = dp_table(xs);
        let sep = self.base.vocab.id(SEP).expect("vocabulary has <sep>");
        let num = |v: u32| {
            self.base
                .vocab
                .id(&v.to_string())
                .expect("number in vocabulary")
        };
        let mut tokens: Vec<u32> = xs.iter().map(|&x| num(x)).collect();
        tokens.push(sep);
        let prompt_len = tokens.len();
        tokens.extend(dp.iter().map(|&d| num(d)));
        tokens.push(sep);
        let cot_len = tokens.len() - prompt_len;
        let best = dp.iter().copied().max().unwrap_or(0);
        tokens.push(num(best));

        let dp_pos = |j: usize| prompt_len + j;
        let mut trace: Vec<CellTrace> = (0..xs.len())
            .map(|i| {
                let earlier: Vec<usize> = (0..i).filter(|&j| xs[j] < xs[i]).collect();
                CellTrace {
                    cell: Some(Cell::one(i + 1)),
                    deps: earlier.iter().map(|&j| Cell::one(j + 1)).collect(),
                    dep_positions: earlier.iter().map(|&j| dp_pos(j)).collect(),
                }
            })
            .collect();
        trace.push(CellTrace::none());
        trace.push(CellTrace {
            cell: None,
            deps: (1..=xs.len()).map(Cell::one).collect(),
            dep_positions: (0..xs.len()).map(dp_pos).collect(),
        });
        Example {
            tokens,
            prompt_len,
            cot_len,
            trace,
        }
    }
}

impl Task for Lis {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        let xs = self.sample_numbers(rng);
        self.example_for(&xs)
    }

    /// Any n in `3..=100`: the prompt `x_1 … x_n <sep>` gives it.
    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let sep = self.base.vocab.id(SEP)?;
        let Some((&last, body)) = prompt.split_last() else {
            return Err(TaskError::Malformed("empty prompt".into()));
        };
        if last != sep {
            return Err(TaskError::Malformed(
                "the prompt must end with <sep>".into(),
            ));
        }
        let n = body.len();
        if !(MIN_SIZE..=MAX_SIZE).contains(&n) {
            return Err(TaskError::Malformed(format!(
                "expected {MIN_SIZE} to {MAX_SIZE} numbers before <sep>, found {n}"
            )));
        }
        let lo = n as u32 + 1;
        let xs = body
            .iter()
            .map(|&id| {
                let text = self.base.vocab.text(id);
                match text.parse::<u32>() {
                    Ok(v) if (lo..=MAX_VALUE).contains(&v) => Ok(v),
                    Ok(v) => Err(TaskError::Malformed(format!(
                        "number {v} is outside [{lo}, {MAX_VALUE}]"
                    ))),
                    Err(_) => Err(TaskError::Malformed(format!("`{text}` is not a number"))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.example_for(&xs))
    }
}

/// `dp_i` = length of the longest strictly increasing subsequence ending at `i` (O(n²)).
pub fn dp_table(xs: &[u32]) -> Vec<u32> {
    let mut dp = vec![1u32; xs.len()];
    for i in 0..xs.len() {
        for j in 0..i {
            if xs[j] < xs[i] {
                dp[i] = dp[i].max(dp[j] + 1);
            }
        }
    }
    dp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_from_tasks_md() {
        let task = Lis::new(12).unwrap();
        let text = "215 35 74 128 156 165 85 156 189 224 171 74 <sep>";
        let ex = task.solve(&task.vocab().encode(text).unwrap()).unwrap();
        assert_eq!(
            task.vocab().decode(&ex.tokens),
            "215 35 74 128 156 165 85 156 189 224 171 74 <sep> 1 1 2 3 4 5 3 4 6 7 6 2 <sep> 7"
        );
    }

    #[test]
    fn generator_is_deterministic_and_seed_dependent() {
        let task = Lis::new(20).unwrap();
        let a: Vec<_> = (0..5)
            .map(|s| task.generate(&mut TaskRng::new(s, 0)))
            .collect();
        let b: Vec<_> = (0..5)
            .map(|s| task.generate(&mut TaskRng::new(s, 0)))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        assert_ne!(
            task.generate(&mut TaskRng::new(0, 0)),
            task.generate(&mut TaskRng::new(0, 1))
        );
    }

    #[test]
    fn answers_are_spread_out() {
        let task = Lis::new(10).unwrap();
        let mut rng = TaskRng::new(7, 0);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..300 {
            let ex = task.generate(&mut rng);
            seen.insert(task.vocab().text(ex.answer()[0]).to_string());
        }
        assert!(seen.len() >= 5, "answers too concentrated: {seen:?}");
    }

    /// Share of the trivial row `1 2 … n` and of the most common row among `draws` prompts.
    fn row_shares(n: usize, draws: usize) -> (f64, f64) {
        let task = Lis::new(n).unwrap();
        let mut rng = TaskRng::new(11, 0);
        let mut counts = std::collections::HashMap::new();
        for _ in 0..draws {
            *counts
                .entry(dp_table(&task.sample_numbers(&mut rng)))
                .or_insert(0usize) += 1;
        }
        let trivial: Vec<u32> = (1..=n as u32).collect();
        let share = |c: usize| c as f64 / draws as f64;
        (
            share(counts.get(&trivial).copied().unwrap_or(0)),
            share(counts.values().copied().max().unwrap_or(0)),
        )
    }

    #[test]
    fn no_dp_row_is_common() {
        // (n, largest share allowed for the trivial row, for the most common row). With planted
        // runs covering the whole prompt the trivial row was 27.5 %, 11.3 %, 6.7 % and 2.6 %.
        for (n, trivial_cap, top_cap) in [
            (4, 0.15, 0.20),
            (6, 0.04, 0.05),
            (8, 0.02, 0.02),
            (16, 0.005, 0.005),
        ] {
            let (trivial, top) = row_shares(n, 20_000);
            println!("n {n}: trivial row {trivial:.4}, most common row {top:.4}");
            assert!(trivial < trivial_cap, "n {n}: trivial row {trivial}");
            assert!(top < top_cap, "n {n}: most common row {top}");
        }
    }

    #[test]
    fn the_smallest_size_still_generates() {
        let task = Lis::new(MIN_SIZE).unwrap();
        let mut rng = TaskRng::new(3, 0);
        for _ in 0..200 {
            let ex = task.generate(&mut rng);
            assert_eq!(ex.len(), 2 * MIN_SIZE + 3);
        }
    }

    #[test]
    fn trace_lists_smaller_earlier_positions() {
        let task = Lis::new(4).unwrap();
        let ex = task.example_for(&[9, 6, 7, 10]);
        assert_eq!(ex.trace.len(), 4 + 2);
        assert_eq!(ex.trace[3].cell, Some(Cell::one(4)));
        assert_eq!(
            ex.trace[3].deps,
            vec![Cell::one(1), Cell::one(2), Cell::one(3)]
        );
        assert_eq!(ex.trace[2].deps, vec![Cell::one(2)]);
        assert!(ex.trace[1].deps.is_empty());
    }

    #[test]
    fn bad_requests_are_errors() {
        assert!(matches!(Lis::new(2), Err(TaskError::SizeOutOfRange { .. })));
        assert!(Lis::new(101).is_err());
        let task = Lis::new(3).unwrap();
        let v = task.vocab();
        assert!(task.solve(&[]).is_err());
        assert!(task.solve(&v.encode("10 20 30").unwrap()).is_err());
        assert!(task.solve(&v.encode("10 20 <sep>").unwrap()).is_err());
        // Numbers must exceed n (here n = 4), so they never collide with DP values.
        assert!(task.solve(&v.encode("10 4 30 40 <sep>").unwrap()).is_err());
        assert!(task.solve(&v.encode("10 2 30 <sep>").unwrap()).is_err());
        assert!(task.solve(&v.encode("10 <sep> 30 <sep>").unwrap()).is_err());
        assert!(matches!(v.encode("10 x"), Err(TaskError::UnknownToken(_))));
    }

    #[test]
    fn grading_finds_first_wrong_token() {
        let task = Lis::new(4).unwrap();
        let ex = task.example_for(&[9, 6, 7, 10]);
        let reference = ex.tokens[ex.prompt_len..].to_vec();
        assert!(ex.grade(&reference).exact);
        let mut wrong = reference.clone();
        wrong[2] = wrong[0];
        let g = ex.grade(&wrong);
        assert!(!g.exact && g.answer_correct);
        assert_eq!(g.first_wrong, Some(2));
        assert!(!ex.grade(&reference[..3]).exact);
    }
}
