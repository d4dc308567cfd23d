//! The one interface the trainer and the UI use to talk to a model.

use burn::prelude::*;

use super::cache::DecodeCache;

/// What a model exposes for visualisation besides its logits.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Per attention layer: the weights actually used, `[B, H, T, T]` (row = query, column =
    /// key). Sparse: zero outside the pattern; linear: the implied normalised weights; hard and
    /// saturated: 0/1 and 1/|M|. Empty for RNNs and SSMs.
    pub attention: Vec<Tensor<4>>,
    /// Per recurrent layer: the L2 norm of the state after each step, `[B, T]`. Empty for
    /// transformers.
    pub state_norms: Vec<Tensor<2>>,
    /// The residual stream after every layer, `[B, T, d]` (what probes read).
    pub residuals: Vec<Tensor<3>>,
}

/// Positions of a sequence of `len` tokens that a pass must produce: sorted, distinct, at
/// least one, each `< len` (the only values [`Rows::new`] builds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows {
    rows: Vec<usize>,
    len: usize,
}

impl Rows {
    /// The distinct `rows` in order; `None` when there are none or one is `≥ len`.
    pub fn new(rows: impl IntoIterator<Item = usize>, len: usize) -> Option<Self> {
        let mut rows: Vec<usize> = rows.into_iter().collect();
        rows.sort_unstable();
        rows.dedup();
        let valid = !rows.is_empty() && rows.last().is_some_and(|&last| last < len);
        valid.then_some(Self { rows, len })
    }

    pub fn as_slice(&self) -> &[usize] {
        &self.rows
    }

    /// The length of the sequences these rows belong to.
    pub fn sequence_len(&self) -> usize {
        self.len
    }

    /// Every position of the sequence.
    pub fn is_all(&self) -> bool {
        self.rows.len() == self.len
    }

    /// Where position `p` sits among the rows.
    pub fn column(&self, p: usize) -> Option<usize> {
        self.rows.binary_search(&p).ok()
    }

    /// The rows as an index for `select` along the position axis.
    pub fn index(&self, device: &Device) -> Tensor<1, Int> {
        position_index(&self.rows, device)
    }
}

/// Positions as an index for `select` along the position axis.
pub(crate) fn position_index(positions: &[usize], device: &Device) -> Tensor<1, Int> {
    let positions: Vec<i64> = positions.iter().map(|&p| p as i64).collect();
    Tensor::<1, Int>::from_ints(positions.as_slice(), device)
}

/// A sequence (or a decoding position) beyond the model's context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sequence of {tokens} tokens exceeds the model's context of {context}")]
pub struct SequenceTooLong {
    pub tokens: usize,
    pub context: usize,
}

/// A causal sequence model over token ids. Inputs longer than the model's context are an
/// error value, never a panic.
pub trait SequenceModel {
    /// `tokens: [B, T]` → logits `[B, T, V]`; position `t` predicts token `t + 1`.
    fn forward(&self, tokens: Tensor<2, Int>) -> Result<Tensor<3>, SequenceTooLong>;

    /// The logits `[B, R, V]` at the positions `rows` only: the rows of
    /// [`forward`](Self::forward) there. A loss or a grade on a few positions (a
    /// classification task's answer) calls this, and the model may skip what no such row
    /// reads. `rows` are built for sequences of `T` tokens (`tokens: [B, T]`).
    fn forward_at(&self, tokens: Tensor<2, Int>, rows: &Rows)
    -> Result<Tensor<3>, SequenceTooLong>;

    /// Same as [`forward`](Self::forward), plus what the model shows of its inside.
    fn forward_with_trace(
        &self,
        tokens: Tensor<2, Int>,
    ) -> Result<(Tensor<3>, Trace), SequenceTooLong>;

    /// An empty decoding cache for `batch` sequences.
    fn init_cache(&self, batch: usize, device: &Device) -> DecodeCache;

    /// Feed one token per sequence (`[B]`) at `cache.position`; returns the logits `[B, V]` of
    /// the next token and advances the cache. Equals the last row of `forward` on the whole
    /// prefix.
    fn step(
        &self,
        tokens: Tensor<1, Int>,
        cache: &mut DecodeCache,
    ) -> Result<Tensor<2>, SequenceTooLong>;
}

#[cfg(test)]
mod tests {
    use super::Rows;

    #[test]
    fn rows_are_sorted_distinct_and_inside_the_sequence() {
        let rows = Rows::new([4, 1, 4, 2], 5).unwrap();
        assert_eq!(rows.as_slice(), &[1, 2, 4]);
        assert_eq!((rows.column(4), rows.column(3)), (Some(2), None));
        assert!(!rows.is_all() && Rows::new(0..5, 5).unwrap().is_all());
        assert_eq!(Rows::new([], 5), None);
        assert_eq!(Rows::new([5], 5), None);
    }
}
