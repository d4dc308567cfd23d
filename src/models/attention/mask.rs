//! Which keys a query may attend to: the dense causal pattern, Child et al.'s fixed block
//! pattern and its sliding-window variant, as host tables and as device masks.

use burn::prelude::*;

/// An attention pattern over positions `0..T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Every position `j ≤ i`.
    Dense,
    /// Positions `j ≤ i` in `i`'s own block of `block` positions, plus the last position of
    /// every earlier block.
    Sparse { block: usize },
    /// Positions `j ≤ i` among the last `block` (`i - j < block`), plus the last position of
    /// every earlier block: the fixed pattern with the own block made a sliding window, so a
    /// query at a block's start still reads the `block - 1` positions before it.
    Window { block: usize },
}

impl Pattern {
    /// Whether query `i` may attend to key `j`.
    pub fn allows(self, i: usize, j: usize) -> bool {
        if j > i {
            return false;
        }
        match self {
            Self::Dense => true,
            Self::Sparse { block } => j / block == i / block || j % block == block - 1,
            Self::Window { block } => i - j < block || j % block == block - 1,
        }
    }

    /// How many keys query `i` reads.
    pub fn keys_read(self, i: usize) -> usize {
        match self {
            Self::Dense => i + 1,
            Self::Sparse { block } => i % block + 1 + i / block,
            // The window, then the block ends before it (positions `≤ i - block`).
            Self::Window { block } => (i + 1).min(block) + (i + 1).saturating_sub(block) / block,
        }
    }

    /// Row-major `T × T` table, `true` where attention is *blocked*.
    pub fn blocked_table(self, t: usize) -> Vec<bool> {
        (0..t * t).map(|n| !self.allows(n / t, n % t)).collect()
    }

    /// `[1, 1, R, T]` mask of the query rows `rows` (positions `< t`) over keys `0..t`, `true`
    /// where attention is blocked: the rows of [`blocked`](Self::blocked) a forward pass that
    /// reads only some positions needs.
    pub fn blocked_rows(self, rows: &[usize], t: usize, device: &Device) -> Tensor<4, Bool> {
        let table: Vec<bool> = rows
            .iter()
            .flat_map(|&i| (0..t).map(move |j| !self.allows(i, j)))
            .collect();
        Tensor::<1, Bool>::from_data(TensorData::new(table, [rows.len() * t]), device).reshape([
            1,
            1,
            rows.len(),
            t,
        ])
    }

    /// `[1, 1, T, T]` mask, `true` where attention is blocked.
    pub fn blocked(self, t: usize, device: &Device) -> Tensor<4, Bool> {
        match self {
            // The dense pattern is built on the device: no upload of a T × T table.
            Self::Dense => Tensor::<2, Bool>::tril_mask([t, t], 0, device).unsqueeze::<4>(),
            Self::Sparse { .. } | Self::Window { .. } => {
                let table = self.blocked_table(t);
                Tensor::<1, Bool>::from_data(TensorData::new(table, [t * t]), device)
                    .reshape([1, 1, t, t])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_pattern_of_block_three() {
        let p = Pattern::Sparse { block: 3 };
        // Query 7 is in block 2 (positions 6..9): reads 6, 7 and the ends of blocks 0 and 1.
        let keys: Vec<usize> = (0..10).filter(|&j| p.allows(7, j)).collect();
        assert_eq!(keys, vec![2, 5, 6, 7]);
        assert_eq!(p.keys_read(7), 4);
        assert!(!p.allows(2, 5));
    }

    #[test]
    fn window_pattern_of_block_three() {
        let p = Pattern::Window { block: 3 };
        // Query 6 starts block 2: it still reads 4 and 5 (its window) and the end of block 0.
        let keys: Vec<usize> = (0..10).filter(|&j| p.allows(6, j)).collect();
        assert_eq!(keys, vec![2, 4, 5, 6]);
        assert!(!p.allows(6, 7));
    }

    #[test]
    fn keys_read_counts_the_allowed_keys() {
        for block in 1..6 {
            for p in [Pattern::Sparse { block }, Pattern::Window { block }] {
                for i in 0..40 {
                    let allowed = (0..40).filter(|&j| p.allows(i, j)).count();
                    assert_eq!(p.keys_read(i), allowed, "{p:?} query {i}");
                }
            }
        }
    }
}
