//! `dyck`: `w <q>` → `yes` iff `w ∈ Dyck-(k, m)`: balanced brackets of k types with nesting
//! depth at most m. Negatives are near misses (a swapped bracket type, a flipped matched pair,
//! or a depth overflow), never unbalanced only by count.

use super::error::malformed;
use super::{
    Example, Locality, Paper, ParamInfo, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng,
    Vocab,
};

pub const MAX_SIZE: usize = 256;
pub const QUERY: &str = "<q>";
/// Bracket pairs, in the order the `brackets` parameter takes them.
pub const PAIRS: [(&str, &str); 4] = [("(", ")"), ("[", "]"), ("{", "}"), ("<", ">")];

pub const BRACKETS: ParamInfo = ParamInfo {
    name: "brackets",
    meaning: "number of bracket types k",
    min: 1,
    max: PAIRS.len(),
    default: 2,
};
pub const DEPTH: ParamInfo = ParamInfo {
    name: "depth",
    meaning: "depth bound m",
    min: 1,
    max: 16,
    default: 2,
};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Dyck,
    name: "dyck",
    title: "Bounded Dyck",
    size_meaning: "word length N (even)",
    min_size: 2,
    max_size: MAX_SIZE,
    default_size: 16,
    chain_of_thought: false,
    paper: Paper::Separations,
    tests: "recognising bounded-depth balanced brackets",
    claim: "Dyck words of bounded depth are recognised by a constant-size RNN (a finite \
            automaton over the stack), while a one-layer transformer needs size linear in the \
            length: here recurrence wins.",
    params: &[BRACKETS, DEPTH],
    locality: Locality::NoChain,
};

/// One bracket: its type and whether it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bracket {
    pub kind: usize,
    pub open: bool,
}

/// Where `w` leaves Dyck-(k, m): the index of the first bad bracket, `w.len()` if brackets
/// remain open at the end, `None` if `w` is in the language.
pub fn first_violation(w: &[Bracket], k: usize, m: usize) -> Option<usize> {
    let mut stack = Vec::new();
    for (i, b) in w.iter().enumerate() {
        if b.kind >= k {
            return Some(i);
        }
        if b.open {
            stack.push(b.kind);
            if stack.len() > m {
                return Some(i);
            }
        } else if stack.pop() != Some(b.kind) {
            return Some(i);
        }
    }
    (!stack.is_empty()).then_some(w.len())
}

fn max_depth(w: &[Bracket]) -> usize {
    let mut depth = 0usize;
    let mut best = 0;
    for b in w {
        if b.open {
            depth += 1;
            best = best.max(depth);
        } else {
            depth = depth.saturating_sub(1);
        }
    }
    best
}

/// A random word of Dyck-(k, m) of even length `n`: a depth-bounded random walk that opens
/// with probability ½ whenever both moves keep it completable.
fn random_word(n: usize, k: usize, m: usize, rng: &mut TaskRng) -> Vec<Bracket> {
    let mut stack: Vec<usize> = Vec::new();
    let mut w = Vec::with_capacity(n);
    for t in 0..n {
        let (remaining, d) = (n - t, stack.len());
        let can_open = d < m && d + 2 <= remaining;
        let open = if can_open && d > 0 {
            rng.chance(1, 2)
        } else {
            can_open
        };
        if open {
            let kind = rng.index(k);
            stack.push(kind);
            w.push(Bracket { kind, open: true });
        } else {
            let kind = stack.pop().expect("a close only when something is open");
            w.push(Bracket { kind, open: false });
        }
    }
    w
}

/// Index of the partner of every bracket in a well-matched word.
fn partners(w: &[Bracket]) -> Vec<usize> {
    let mut stack = Vec::new();
    let mut partner = vec![0; w.len()];
    for (i, b) in w.iter().enumerate() {
        if b.open {
            stack.push(i);
        } else if let Some(j) = stack.pop() {
            partner[i] = j;
            partner[j] = i;
        }
    }
    partner
}

/// Bounded Dyck at one length with k bracket types and depth bound m.
#[derive(Debug, Clone)]
pub struct Dyck {
    base: TaskBase,
    k: usize,
    m: usize,
}

impl Dyck {
    pub fn new(n: usize, k: usize, m: usize) -> Result<Self, TaskError> {
        let base = TaskBase::new(&INFO, n, Self::vocabulary(), |n| n + 2)?;
        if n % 2 == 1 {
            return Err(TaskError::InvalidSize {
                task: INFO.name,
                size: n,
                reason: "a balanced word has even length".into(),
            });
        }
        BRACKETS.check(INFO.name, k)?;
        DEPTH.check(INFO.name, m)?;
        Ok(Self { base, k, m })
    }

    /// `<pad> ( ) [ ] { } < > <q> yes no`.
    pub fn vocabulary() -> Vocab {
        let brackets = PAIRS
            .iter()
            .flat_map(|(o, c)| [o.to_string(), c.to_string()]);
        Vocab::new(brackets.chain(["<q>", "yes", "no"].map(String::from)))
    }

    pub fn brackets(&self) -> usize {
        self.k
    }

    pub fn depth(&self) -> usize {
        self.m
    }

    /// A word of Dyck-(k, m+1) that reaches depth m+1 (so it is out of Dyck-(k, m)).
    fn overflow(&self, rng: &mut TaskRng) -> Vec<Bracket> {
        for _ in 0..20 {
            let w = random_word(self.base.size, self.k, self.m + 1, rng);
            if max_depth(&w) > self.m {
                return w;
            }
        }
        // Rarely reached on short words: a full nest of depth m+1, then a bounded word.
        let nest = self.m + 1;
        let mut kinds: Vec<usize> = (0..nest).map(|_| rng.index(self.k)).collect();
        let mut w: Vec<Bracket> = kinds
            .iter()
            .map(|&kind| Bracket { kind, open: true })
            .collect();
        while let Some(kind) = kinds.pop() {
            w.push(Bracket { kind, open: false });
        }
        w.extend(random_word(self.base.size - 2 * nest, self.k, self.m, rng));
        w
    }

    /// A near-miss negative made from the positive `w`.
    fn near_miss(&self, w: &[Bracket], rng: &mut TaskRng) -> Vec<Bracket> {
        let partner = partners(w);
        for _ in 0..100 {
            let candidate = match rng.index(3) {
                0 if self.k >= 2 => {
                    // Swap the type of one bracket.
                    let mut c = w.to_vec();
                    let p = rng.index(c.len());
                    let other = rng.index(self.k - 1);
                    c[p].kind = if other >= c[p].kind { other + 1 } else { other };
                    c
                }
                1 => {
                    // Flip the direction of one matched pair: `( … )` → `) … (`.
                    let mut c = w.to_vec();
                    let p = rng.index(c.len());
                    let q = partner[p];
                    c[p].open = !c[p].open;
                    c[q].open = !c[q].open;
                    c
                }
                2 if self.base.size >= 2 * (self.m + 1) => self.overflow(rng),
                _ => continue,
            };
            if first_violation(&candidate, self.k, self.m).is_some() {
                return candidate;
            }
        }
        // Flipping the pair that starts the word always leaves the language.
        let mut c = w.to_vec();
        let q = partner[0];
        c[0].open = false;
        c[q].open = true;
        c
    }

    fn example_for(&self, w: &[Bracket]) -> Example {
        let id = |t: &str| self.base.vocab.id(t).expect("token in vocabulary");
        let mut prompt: Vec<u32> = w
            .iter()
            .map(|b| {
                let (o, c) = PAIRS[b.kind];
                id(if b.open { o } else { c })
            })
            .collect();
        prompt.push(id(QUERY));
        match first_violation(w, self.k, self.m) {
            None => Example::decision(prompt, id("yes"), (0..w.len()).collect()),
            Some(at) => Example::decision(prompt, id("no"), vec![at.min(w.len() - 1)]),
        }
    }
}

impl Task for Dyck {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        let positive = random_word(self.base.size, self.k, self.m, rng);
        if rng.chance(1, 2) {
            self.example_for(&positive)
        } else {
            let negative = self.near_miss(&positive, rng);
            self.example_for(&negative)
        }
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let text: Vec<&str> = prompt.iter().map(|&t| self.base.vocab.text(t)).collect();
        let [body @ .., q] = text.as_slice() else {
            return Err(malformed("empty prompt"));
        };
        if *q != QUERY {
            return Err(malformed("the prompt must end with <q>"));
        }
        if !(1..=MAX_SIZE).contains(&body.len()) {
            return Err(malformed(format!(
                "expected 1 to {MAX_SIZE} brackets, found {}",
                body.len()
            )));
        }
        let w = body
            .iter()
            .map(|t| {
                PAIRS
                    .iter()
                    .enumerate()
                    .find_map(|(kind, (o, c))| {
                        (t == o || t == c).then_some(Bracket { kind, open: t == o })
                    })
                    .filter(|b| b.kind < self.k)
                    .ok_or_else(|| {
                        malformed(format!(
                            "`{t}` is not one of the {} bracket types in use",
                            self.k
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.example_for(&w))
    }
}
