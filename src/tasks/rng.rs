//! A portable, seeded random source for data generation.
//!
//! Only fixed-width integer draws are used (never `usize` ranges or floats with
//! platform-dependent paths), so a `(task, size, seed)` triple gives bit-identical examples on
//! x86_64 and wasm32.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seeded generator used by every task.
pub struct TaskRng(ChaCha8Rng);

impl TaskRng {
    /// A generator for one stream; `stream` separates e.g. train and test data of one seed.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self(rng)
    }

    /// How far the generator has gone: 32-bit words drawn since it was created. With the seed
    /// and stream this is the whole state (ChaCha is seekable), so a resumed run continues the
    /// same stream ([`TaskRng::at`]).
    pub fn position(&self) -> u128 {
        self.0.get_word_pos()
    }

    /// The generator of `(seed, stream)` after `position` words (see [`TaskRng::position`]).
    pub fn at(seed: u64, stream: u64, position: u128) -> Self {
        let mut rng = Self::new(seed, stream);
        rng.0.set_word_pos(position);
        rng
    }

    /// Uniform integer in `lo..=hi` (inclusive).
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(lo <= hi);
        self.0.random_range(lo..=hi)
    }

    /// Uniform index in `0..n` (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        self.range(0, (n - 1) as u32) as usize
    }

    /// `true` with probability `num / den`.
    pub fn chance(&mut self, num: u32, den: u32) -> bool {
        self.range(0, den - 1) < num
    }

    /// `k` distinct values from `lo..=hi`, in random order (partial Fisher–Yates).
    pub fn distinct(&mut self, lo: u32, hi: u32, k: usize) -> Vec<u32> {
        let mut pool: Vec<u32> = (lo..=hi).collect();
        assert!(
            k <= pool.len(),
            "cannot draw {k} distinct values from {lo}..={hi}"
        );
        for i in 0..k {
            let j = i + self.index(pool.len() - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }
}
