//! `equality`: `x | y <q>` → `eq` iff `x = y`. Half the negatives differ in exactly one bit.

use super::{
    Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng, pair_bits,
};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Equality,
    name: "equality",
    title: "String equality",
    size_meaning: "string length N",
    min_size: 1,
    max_size: pair_bits::MAX_SIZE,
    default_size: 16,
    chain_of_thought: false,
    paper: Paper::Separations,
    tests: "deciding whether two bit strings are equal",
    claim: "Two attention layers of logarithmic width compare x and y position by position; \
            one-layer transformers and RNNs need width linear in N.",
    params: &[],
    locality: Locality::NoChain,
};

/// Any differing position witnesses `neq`.
const RULE: pair_bits::Rule = pair_bits::Rule {
    positive: "eq",
    negative: "neq",
    witness: |x, y| x != y,
};

#[derive(Debug, Clone)]
pub struct Equality {
    base: TaskBase,
}

impl Equality {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        INFO.check_size(n)?;
        Ok(Self {
            base: RULE.base(&INFO, n),
        })
    }
}

impl Task for Equality {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        let n = self.base.size;
        let x: Vec<bool> = (0..n).map(|_| rng.chance(1, 2)).collect();
        let mut y = x.clone();
        if !rng.chance(1, 2) {
            if n == 1 || rng.chance(1, 2) {
                // Near miss: exactly one position differs.
                let k = rng.index(n);
                y[k] = !y[k];
            } else {
                // An independent string, redrawn until it differs.
                while y == x {
                    y = (0..n).map(|_| rng.chance(1, 2)).collect();
                }
            }
        }
        RULE.example_for(&self.base.vocab, &x, &y)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        RULE.solve(&self.base.vocab, prompt)
    }
}
