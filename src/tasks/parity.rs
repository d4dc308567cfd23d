//! `parity`: `w <q>` → the XOR of the bits (the contrast task to `majority`).

use super::{
    Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng, bit_string,
};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Parity,
    name: "parity",
    title: "Parity",
    size_meaning: "string length N",
    min_size: 1,
    max_size: bit_string::MAX_SIZE,
    default_size: 21,
    chain_of_thought: false,
    paper: Paper::SaturatedTransformers,
    tests: "XOR of all bits: a contrast task",
    claim: "Parity is not computed by small-depth threshold circuits of this kind with simple \
            attention patterns: neither hard nor saturated one-layer models solve it, a \
            contrast to MAJORITY.",
    params: &[],
    locality: Locality::NoChain,
};

#[derive(Debug, Clone)]
pub struct Parity {
    base: TaskBase,
}

fn parity(bits: &[bool]) -> bool {
    bits.iter().fold(false, |acc, &b| acc ^ b)
}

impl Parity {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        Ok(Self {
            base: bit_string::base(&INFO, n)?,
        })
    }
}

impl Task for Parity {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    /// Flipping one random bit fixes a wrong parity.
    fn generate(&self, rng: &mut TaskRng) -> Example {
        bit_string::generate(&self.base, rng, parity, |bits, rng| {
            let k = rng.index(bits.len());
            bits[k] = !bits[k];
        })
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let bits = bit_string::parse(&self.base.vocab, prompt)?;
        Ok(bit_string::example(&self.base.vocab, &bits, parity(&bits)))
    }
}
