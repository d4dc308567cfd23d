//! `disjointness`: `x | y <q>` → `yes` iff no i has `x_i = y_i = 1`. Negatives overlap in
//! exactly one position.

use super::{
    Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng, pair_bits,
};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Disjointness,
    name: "disjointness",
    title: "Set disjointness",
    size_meaning: "string length N",
    min_size: 1,
    max_size: pair_bits::MAX_SIZE,
    default_size: 16,
    chain_of_thought: false,
    paper: Paper::Separations,
    tests: "deciding whether two sets (as bit strings) are disjoint",
    claim: "Like equality: a 2-layer log-width transformer decides disjointness, one-layer \
            transformers and RNNs need linear size (a communication-complexity lower bound).",
    params: &[],
    locality: Locality::NoChain,
};

/// A shared element (`x_i = y_i = 1`) witnesses `no`.
const RULE: pair_bits::Rule = pair_bits::Rule {
    positive: "yes",
    negative: "no",
    witness: |x, y| x && y,
};

#[derive(Debug, Clone)]
pub struct Disjointness {
    base: TaskBase,
}

impl Disjointness {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        INFO.check_size(n)?;
        Ok(Self {
            base: RULE.base(&INFO, n),
        })
    }
}

impl Task for Disjointness {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    /// Each position is (0,0), (0,1) or (1,0) uniformly; a negative then sets one random
    /// position to (1,1).
    fn generate(&self, rng: &mut TaskRng) -> Example {
        let n = self.base.size;
        let (mut x, mut y) = (vec![false; n], vec![false; n]);
        for i in 0..n {
            match rng.index(3) {
                0 => {}
                1 => y[i] = true,
                _ => x[i] = true,
            }
        }
        if !rng.chance(1, 2) {
            let k = rng.index(n);
            x[k] = true;
            y[k] = true;
        }
        RULE.example_for(&self.base.vocab, &x, &y)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        RULE.solve(&self.base.vocab, prompt)
    }
}
