//! `disjointness`: `x | y <q>` → `yes` iff no i has `x_i = y_i = 1`. Negatives overlap in
//! exactly one position.

use super::{Example, Task, TaskError, TaskKind, TaskRng, Vocab, pair_bits};

#[derive(Debug, Clone)]
pub struct Disjointness {
    n: usize,
    vocab: Vocab,
}

impl Disjointness {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        super::kind::check_size(TaskKind::Disjointness, n)?;
        Ok(Self {
            n,
            vocab: pair_bits::vocabulary("yes", "no"),
        })
    }

    fn example_for(&self, x: &[bool], y: &[bool]) -> Example {
        let overlap: Vec<usize> = (0..x.len()).filter(|&i| x[i] && y[i]).collect();
        if overlap.is_empty() {
            let all: Vec<usize> = (0..x.len()).collect();
            pair_bits::example(&self.vocab, x, y, "yes", &all)
        } else {
            pair_bits::example(&self.vocab, x, y, "no", &overlap)
        }
    }
}

impl Task for Disjointness {
    fn kind(&self) -> TaskKind {
        TaskKind::Disjointness
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

    /// Each position is (0,0), (0,1) or (1,0) uniformly; a negative then sets one random
    /// position to (1,1).
    fn generate(&self, rng: &mut TaskRng) -> Example {
        let n = self.n;
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
        self.example_for(&x, &y)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let (x, y) = pair_bits::parse(&self.vocab, prompt)?;
        Ok(self.example_for(&x, &y))
    }
}
