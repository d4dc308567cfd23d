//! Explicit decoding caches: what a model keeps between generated tokens. Each layer owns one
//! entry; its size is what the cost meter calls "state bytes".

use burn::prelude::*;

/// Keys and values of the positions a layer can still read, `[B, H, n, d_h]` each.
#[derive(Debug, Clone, Default)]
pub struct KvCache {
    pub keys: Option<Tensor<4>>,
    pub values: Option<Tensor<4>>,
}

impl KvCache {
    /// Append one position (`[B, H, 1, d_h]` each).
    pub fn push(&mut self, key: Tensor<4>, value: Tensor<4>) {
        let cat = |old: Option<Tensor<4>>, new: Tensor<4>| match old {
            Some(old) => Tensor::cat(vec![old, new], 2),
            None => new,
        };
        self.keys = Some(cat(self.keys.take(), key));
        self.values = Some(cat(self.values.take(), value));
    }

    /// Number of positions held.
    pub fn len(&self) -> usize {
        self.keys.as_ref().map_or(0, |k| k.dims()[2])
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        self.keys = None;
        self.values = None;
    }

    fn floats(&self) -> usize {
        [&self.keys, &self.values]
            .into_iter()
            .flatten()
            .map(|t| t.dims().iter().product::<usize>())
            .sum()
    }
}

/// What one layer keeps between tokens.
// One per layer, a handful per model: the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum LayerCache {
    /// Standard attention: every earlier key and value.
    Dense(KvCache),
    /// Sparse attention: the current block, and the last position of each earlier block.
    Sparse { block: KvCache, ends: KvCache },
    /// Linear attention: `S = Σ φ(k) vᵀ` (`[B, H, d_h, d_h]`) and `z = Σ φ(k)` (`[B, H, 1, d_h]`).
    Linear {
        state: Tensor<4>,
        normaliser: Tensor<4>,
    },
    /// LSTM hidden and cell state, `[B, d]` each.
    Lstm { hidden: Tensor<2>, cell: Tensor<2> },
    /// GRU hidden state `[B, d]`.
    Gru { hidden: Tensor<2> },
    /// Selective SSM state `[B, d_inner, N]`.
    Ssm { state: Tensor<3> },
}

impl LayerCache {
    /// Number of f32 values held.
    pub fn floats(&self) -> usize {
        let size = |t: &Tensor<2>| t.dims().iter().product::<usize>();
        match self {
            Self::Dense(kv) => kv.floats(),
            Self::Sparse { block, ends } => block.floats() + ends.floats(),
            Self::Linear { state, normaliser } => {
                state.dims().iter().product::<usize>() + normaliser.dims().iter().product::<usize>()
            }
            Self::Lstm { hidden, cell } => size(hidden) + size(cell),
            Self::Gru { hidden } => size(hidden),
            Self::Ssm { state } => state.dims().iter().product(),
        }
    }

    /// Positions of keys held (attention caches); 0 for fixed-size states.
    pub fn positions_held(&self) -> usize {
        match self {
            Self::Dense(kv) => kv.len(),
            Self::Sparse { block, ends } => block.len() + ends.len(),
            _ => 0,
        }
    }
}

/// Everything a model keeps between generated tokens.
#[derive(Debug, Clone)]
pub struct DecodeCache {
    /// Position of the next token to be fed.
    pub position: usize,
    pub layers: Vec<LayerCache>,
}

impl DecodeCache {
    /// Bytes held on the device (f32).
    pub fn bytes(&self) -> usize {
        4 * self.layers.iter().map(LayerCache::floats).sum::<usize>()
    }
}
