//! The token mixer of a layer: what differs between the architectures of the zoo. Attention
//! (softmax-style over a dense or sparse pattern, or linear) mixes across positions by
//! weights; a recurrent core (LSTM, GRU, selective SSM) by a state carried along the sequence.

use burn::prelude::*;

use crate::models::Rows;

use super::attention::{CausalSelfAttention, LinearAttention, Pattern};
use super::cache::LayerCache;
use super::recurrent::{GruLayer, LstmLayer, SsmLayer};
use super::{Architecture, AttentionMode, ModelConfig};

/// One per layer, a handful per model: boxing the large variants would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Mixer {
    Softmax(CausalSelfAttention),
    Linear(LinearAttention),
    Lstm(LstmLayer),
    Gru(GruLayer),
    Ssm(SsmLayer),
}

/// What a mixer shows of its inside for one sequence batch.
#[derive(Debug, Clone)]
pub enum MixerTrace {
    /// Attention weights actually used, `[B, H, T, T]`.
    Attention(Tensor<4>),
    /// L2 norm of the recurrent state after each step, `[B, T]`.
    StateNorms(Tensor<2>),
}

impl Mixer {
    /// The mixer `config.architecture` calls for, freshly initialised.
    pub fn new(config: &ModelConfig, device: &Device) -> Self {
        let d = config.arch.d_model;
        let h = config.arch.n_heads;
        let positional = config.arch.positional;
        match config.arch.architecture {
            Architecture::Standard => Self::Softmax(
                CausalSelfAttention::new(d, h, Pattern::Dense, device).with_positions(positional),
            ),
            Architecture::Sparse => Self::Softmax(
                CausalSelfAttention::new(d, h, config.sparse_pattern(), device)
                    .with_positions(positional),
            ),
            Architecture::Linear => Self::Linear(LinearAttention::new(d, h, device)),
            Architecture::Lstm => Self::Lstm(LstmLayer::new(d, device)),
            Architecture::Gru => Self::Gru(GruLayer::new(d, device)),
            Architecture::Ssm => Self::Ssm(SsmLayer::new(
                d,
                config.ssm_inner(),
                config.arch.state_size,
                device,
            )),
        }
    }

    /// The same weights under another attention mode (only softmax-style attention has one).
    pub fn with_mode(self, mode: AttentionMode, scale: f32) -> Self {
        match self {
            Self::Softmax(attention) => Self::Softmax(attention.with_mode(mode, scale)),
            other => other,
        }
    }

    /// Attention heads (0 for a recurrent core).
    pub fn n_heads(&self) -> usize {
        match self {
            Self::Softmax(attention) => attention.n_heads(),
            Self::Linear(attention) => attention.n_heads(),
            _ => 0,
        }
    }

    /// The same weights with attention head `h` silenced; a recurrent core has no heads.
    pub fn without_head(self, h: usize) -> Option<Self> {
        match self {
            Self::Softmax(attention) => Some(Self::Softmax(attention.without_head(h))),
            Self::Linear(attention) => Some(Self::Linear(attention.without_head(h))),
            _ => None,
        }
    }

    /// Whether the layer around this mixer has an MLP (attention does, recurrent cores
    /// carry their own gating and do not).
    pub fn wants_mlp(&self) -> bool {
        matches!(self, Self::Softmax(_) | Self::Linear(_))
    }

    /// `[B, T, d]` → (`[B, T, d]`, the trace of this layer).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, MixerTrace) {
        let attention = |(y, w)| (y, MixerTrace::Attention(w));
        let recurrent = |(y, norms)| (y, MixerTrace::StateNorms(norms));
        match self {
            Self::Softmax(a) => attention(a.forward(x)),
            Self::Linear(a) => attention(a.forward(x)),
            Self::Lstm(l) => recurrent(l.forward(x)),
            Self::Gru(l) => recurrent(l.forward(x)),
            Self::Ssm(l) => recurrent(l.forward(x)),
        }
    }

    /// An empty decoding cache for `batch` sequences.
    /// [`forward`](Self::forward) read only at the positions `rows` (sorted, `< T`):
    /// `[B, T, d]` → `[B, R, d]`. Attention computes only those queries; a recurrent layer
    /// still scans every position (its state needs them) and keeps those rows.
    pub fn forward_at(&self, x: Tensor<3>, rows: &Rows) -> Tensor<3> {
        let keep = |y: Tensor<3>| y.select(1, rows.index(&x.device()));
        match self {
            Self::Softmax(a) => a.forward_at(x, rows),
            Self::Linear(a) => a.forward_at(x, rows),
            Self::Lstm(l) => keep(l.forward(x.clone()).0),
            Self::Gru(l) => keep(l.forward(x.clone()).0),
            Self::Ssm(l) => keep(l.forward(x.clone()).0),
        }
    }

    pub fn empty_cache(&self, batch: usize, d_model: usize, device: &Device) -> LayerCache {
        match self {
            Self::Softmax(a) => a.empty_cache(),
            Self::Linear(a) => a.empty_cache(batch, d_model, device),
            Self::Lstm(l) => l.empty_cache(batch, device),
            Self::Gru(l) => l.empty_cache(batch, device),
            Self::Ssm(l) => l.empty_cache(batch, device),
        }
    }

    /// One token at `position`: `[B, 1, d]` → `[B, 1, d]`, updating this layer's cache.
    pub fn step(&self, x: Tensor<3>, position: usize, cache: &mut LayerCache) -> Tensor<3> {
        match self {
            Self::Softmax(a) => a.step(x, position, cache).0,
            Self::Linear(a) => a.step(x, cache).0,
            Self::Lstm(l) => l.step(x, cache),
            Self::Gru(l) => l.step(x, cache),
            Self::Ssm(l) => l.step(x, cache),
        }
    }
}
