//! `parity`: `w <q>` → the XOR of the bits (the contrast task to `majority`).

use super::{Example, Task, TaskError, TaskKind, TaskRng, Vocab, bit_string};

#[derive(Debug, Clone)]
pub struct Parity {
    n: usize,
    vocab: Vocab,
}

fn parity(bits: &[bool]) -> bool {
    bits.iter().fold(false, |acc, &b| acc ^ b)
}

impl Parity {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        super::kind::check_size(TaskKind::Parity, n)?;
        Ok(Self {
            n,
            vocab: bit_string::vocabulary(),
        })
    }
}

impl Task for Parity {
    fn kind(&self) -> TaskKind {
        TaskKind::Parity
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

    /// Uniform bits with a fair-coin label: flipping one random bit fixes a wrong parity.
    fn generate(&self, rng: &mut TaskRng) -> Example {
        let label = rng.chance(1, 2);
        let mut bits: Vec<bool> = (0..self.n).map(|_| rng.chance(1, 2)).collect();
        if parity(&bits) != label {
            let k = rng.index(self.n);
            bits[k] = !bits[k];
        }
        bit_string::example(&self.vocab, &bits, label)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let bits = bit_string::parse(&self.vocab, prompt)?;
        Ok(bit_string::example(&self.vocab, &bits, parity(&bits)))
    }
}
