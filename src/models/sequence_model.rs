//! The one interface the trainer and the UI use to talk to a model.

use burn::prelude::*;

/// What a model exposes for visualisation besides its logits.
#[derive(Debug, Clone)]
pub struct Trace {
    /// Per layer: attention weights `[B, H, T, T]` (row = query, column = key).
    pub attention: Vec<Tensor<4>>,
}

/// A causal sequence model over token ids.
pub trait SequenceModel {
    /// `tokens: [B, T]` → logits `[B, T, V]`; position `t` predicts token `t + 1`.
    fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3>;

    /// Same as [`forward`](Self::forward), plus per-layer attention weights.
    fn forward_with_trace(&self, tokens: Tensor<2, Int>) -> (Tensor<3>, Trace);
}
