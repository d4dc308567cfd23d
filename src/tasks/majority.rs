//! `majority`: `w <q>` → `1` iff `w` has more 1s than 0s (N odd, so no ties).

use super::{
    Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng, bit_string,
};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Majority,
    name: "majority",
    title: "Majority",
    size_meaning: "string length N (odd)",
    min_size: 1,
    max_size: bit_string::MAX_SIZE,
    default_size: 21,
    chain_of_thought: false,
    paper: Paper::SaturatedTransformers,
    tests: "counting: are there more 1s than 0s?",
    claim: "A single saturated (uniform) attention head averages the bits and solves MAJORITY \
            at any length; unique-hard attention is in AC⁰ and cannot count. Without \
            positional encoding it generalises best.",
    params: &[],
    locality: Locality::NoChain,
};

#[derive(Debug, Clone)]
pub struct Majority {
    base: TaskBase,
}

fn majority(bits: &[bool]) -> bool {
    2 * bits.iter().filter(|&&b| b).count() > bits.len()
}

impl Majority {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        let base = bit_string::base(&INFO, n)?;
        if n.is_multiple_of(2) {
            return Err(TaskError::InvalidSize {
                task: INFO.name,
                size: n,
                reason: "N must be odd so that there are no ties".into(),
            });
        }
        Ok(Self { base })
    }
}

impl Task for Majority {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    /// Complementing a string flips its majority (N is odd), so the complement of a
    /// wrong-label draw is a uniform right-label one.
    fn generate(&self, rng: &mut TaskRng) -> Example {
        bit_string::generate(&self.base, rng, majority, |bits, _| {
            bits.iter_mut().for_each(|b| *b = !*b)
        })
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let bits = bit_string::parse(&self.base.vocab, prompt)?;
        if bits.len().is_multiple_of(2) {
            return Err(super::error::malformed(
                "majority needs an odd number of bits (no ties)",
            ));
        }
        Ok(bit_string::example(
            &self.base.vocab,
            &bits,
            majority(&bits),
        ))
    }
}
