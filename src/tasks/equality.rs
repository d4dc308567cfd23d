//! `equality`: `x | y <q>` → `eq` iff `x = y`. Half the negatives differ in exactly one bit.

use super::{Example, Task, TaskError, TaskKind, TaskRng, Vocab, pair_bits};

#[derive(Debug, Clone)]
pub struct Equality {
    n: usize,
    vocab: Vocab,
}

impl Equality {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        super::kind::check_size(TaskKind::Equality, n)?;
        Ok(Self {
            n,
            vocab: pair_bits::vocabulary("eq", "neq"),
        })
    }

    fn example_for(&self, x: &[bool], y: &[bool]) -> Example {
        let differ: Vec<usize> = (0..x.len()).filter(|&i| x[i] != y[i]).collect();
        if differ.is_empty() {
            let all: Vec<usize> = (0..x.len()).collect();
            pair_bits::example(&self.vocab, x, y, "eq", &all)
        } else {
            pair_bits::example(&self.vocab, x, y, "neq", &differ)
        }
    }
}

impl Task for Equality {
    fn kind(&self) -> TaskKind {
        TaskKind::Equality
    }

    fn size(&self) -> usize {
        self.n
    }

    fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    fn max_seq_len(&self) -> usize {
        2 * self.n + 3
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        let n = self.n;
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
        self.example_for(&x, &y)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let (x, y) = pair_bits::parse(&self.vocab, prompt)?;
        Ok(self.example_for(&x, &y))
    }
}
