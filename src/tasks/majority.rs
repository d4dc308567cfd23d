//! `majority`: `w <q>` → `1` iff `w` has more 1s than 0s (N odd, so no ties).

use super::{Example, Task, TaskError, TaskKind, TaskRng, Vocab, bit_string};

#[derive(Debug, Clone)]
pub struct Majority {
    n: usize,
    vocab: Vocab,
}

fn majority(bits: &[bool]) -> bool {
    2 * bits.iter().filter(|&&b| b).count() > bits.len()
}

impl Majority {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        super::kind::check_size(TaskKind::Majority, n)?;
        if n.is_multiple_of(2) {
            return Err(TaskError::InvalidSize {
                task: "majority",
                size: n,
                reason: "N must be odd so that there are no ties".into(),
            });
        }
        Ok(Self {
            n,
            vocab: bit_string::vocabulary(),
        })
    }
}

impl Task for Majority {
    fn kind(&self) -> TaskKind {
        TaskKind::Majority
    }

    fn size(&self) -> usize {
        self.n
    }

    fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    fn max_seq_len(&self) -> usize {
        self.n + 2
    }

    /// Uniform random bits conditioned on a fair-coin label: complementing a string flips its
    /// majority (N is odd), so the complement of a wrong-label draw is a uniform right-label one.
    fn generate(&self, rng: &mut TaskRng) -> Example {
        let label = rng.chance(1, 2);
        let mut bits: Vec<bool> = (0..self.n).map(|_| rng.chance(1, 2)).collect();
        if majority(&bits) != label {
            bits.iter_mut().for_each(|b| *b = !*b);
        }
        bit_string::example(&self.vocab, &bits, label)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let bits = bit_string::parse(&self.vocab, prompt)?;
        if bits.len().is_multiple_of(2) {
            return Err(super::error::malformed(
                "majority needs an odd number of bits (no ties)",
            ));
        }
        Ok(bit_string::example(&self.vocab, &bits, majority(&bits)))
    }
}
