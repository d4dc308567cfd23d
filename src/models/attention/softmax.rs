//! Causal multi-head softmax-style self-attention, dense or with a sparse pattern, in
//! softmax, saturated or hard mode; a batch forward that returns its weights and a one-token
//! step over an explicit cache.

use burn::prelude::*;

use crate::models::Rows;

use super::mask::Pattern;
use super::mode::weights;
use super::projections::Projections;
use super::relative::{Rotation, alibi};
use crate::models::cache::{KvCache, LayerCache};
use crate::models::{AttentionMode, PositionalEncoding};

/// `mode(scale · QKᵀ/√d_h, pattern) V`, then an output projection.
#[derive(Module, Debug)]
pub struct CausalSelfAttention {
    projections: Projections,
    /// Sparse block size; 0 for the dense pattern.
    #[module(skip)]
    block: usize,
    /// The sparse pattern's own block is a sliding window ([`Pattern::Window`]).
    #[module(skip)]
    window: bool,
    #[module(skip)]
    mode: AttentionMode,
    #[module(skip)]
    scale: f32,
    /// The model's positions: RoPE and ALiBi act here, in the scores.
    #[module(skip)]
    positional: PositionalEncoding,
}

impl CausalSelfAttention {
    pub fn new(d_model: usize, n_heads: usize, pattern: Pattern, device: &Device) -> Self {
        Self {
            projections: Projections::new(d_model, n_heads, device),
            block: match pattern {
                Pattern::Dense => 0,
                Pattern::Sparse { block } | Pattern::Window { block } => block,
            },
            window: matches!(pattern, Pattern::Window { .. }),
            mode: AttentionMode::Softmax,
            scale: 1.0,
            positional: PositionalEncoding::None,
        }
    }

    /// The same layer under the model's positions (RoPE and ALiBi change its scores).
    pub fn with_positions(mut self, positional: PositionalEncoding) -> Self {
        self.positional = positional;
        self
    }

    pub fn pattern(&self) -> Pattern {
        match (self.block, self.window) {
            (0, _) => Pattern::Dense,
            (block, false) => Pattern::Sparse { block },
            (block, true) => Pattern::Window { block },
        }
    }

    /// The same weights under another attention mode.
    pub fn n_heads(&self) -> usize {
        self.projections.n_heads()
    }

    /// The same weights with head `h` silenced ([`Projections::without_head`]).
    pub fn without_head(mut self, h: usize) -> Self {
        self.projections = self.projections.without_head(h);
        self
    }

    pub fn with_mode(mut self, mode: AttentionMode, scale: f32) -> Self {
        self.mode = mode;
        self.scale = scale;
        self
    }

    fn scores(&self, q: Tensor<4>, k: Tensor<4>) -> Tensor<4> {
        let dh = q.dims()[3];
        q.matmul(k.swap_dims(2, 3)).div_scalar((dh as f64).sqrt())
    }

    /// Scores of queries at `queries` over keys at `keys` (positions), RoPE and ALiBi applied;
    /// one rotation serves both when they are at the same positions.
    fn positioned_scores(
        &self,
        (q, queries): (Tensor<4>, &[usize]),
        (k, keys): (Tensor<4>, &[usize]),
    ) -> Tensor<4> {
        let (q, k) = if self.positional == PositionalEncoding::Rope {
            let (dh, device) = (q.dims()[3], q.device());
            let at_queries = Rotation::at(queries, dh, &device);
            let k = if queries == keys {
                at_queries.apply(k)
            } else {
                Rotation::at(keys, dh, &device).apply(k)
            };
            (at_queries.apply(q), k)
        } else {
            (q, k)
        };
        let scores = self.scores(q, k);
        if self.positional == PositionalEncoding::Alibi {
            alibi(scores, queries, keys)
        } else {
            scores
        }
    }

    /// `x: [B, T, d]` → (`[B, T, d]`, weights `[B, H, T, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let [_, t, _] = x.dims();
        let blocked = self.pattern().blocked(t, &x.device());
        let (q, k, v) = self.projections.qkv(x);
        let positions: Vec<usize> = (0..t).collect();
        let scores = self.positioned_scores((q, &positions), (k, &positions));
        let w = weights(scores, Some(blocked), self.mode, self.scale);
        (self.projections.merge(w.clone().matmul(v)), w)
    }

    /// [`forward`](Self::forward) read only at the positions `rows` (sorted, `< T`): `x:
    /// [B, T, d]` → `[B, R, d]`, the same rows as the whole pass without computing the others'
    /// queries, weights and values (what a loss on a few positions needs).
    pub fn forward_at(&self, x: Tensor<3>, rows: &Rows) -> Tensor<3> {
        let [_, t, _] = x.dims();
        let device = x.device();
        let blocked = self.pattern().blocked_rows(rows.as_slice(), t, &device);
        let (q, k, v) = self.projections.qkv_at(x, rows.index(&device));
        let positions: Vec<usize> = (0..t).collect();
        let scores = self.positioned_scores((q, rows.as_slice()), (k, &positions));
        let w = weights(scores, Some(blocked), self.mode, self.scale);
        self.projections.merge(w.matmul(v))
    }

    /// An empty cache for this layer.
    pub fn empty_cache(&self) -> LayerCache {
        match self.pattern() {
            Pattern::Dense => LayerCache::Dense(KvCache::default()),
            Pattern::Sparse { .. } | Pattern::Window { .. } => LayerCache::Sparse {
                block: KvCache::default(),
                ends: KvCache::default(),
            },
        }
    }

    /// One token at `position`: `x: [B, 1, d]` → (`[B, 1, d]`, weights `[B, H, 1, n]` over
    /// the keys read, in position order). The sparse cache only ever holds the current block
    /// (or window) and one position per earlier block, so a step reads O(B + position/B) keys.
    pub fn step(
        &self,
        x: Tensor<3>,
        position: usize,
        cache: &mut LayerCache,
    ) -> (Tensor<3>, Tensor<4>) {
        let (q, k, v) = self.projections.qkv(x);
        // Keys are cached rotated: RoPE's angle of a key is its own position's.
        let (q, k) = if self.positional == PositionalEncoding::Rope {
            let rotation = Rotation::at(&[position], q.dims()[3], &q.device());
            (rotation.apply(q), rotation.apply(k))
        } else {
            (q, k)
        };
        let (keys, values) = match cache {
            LayerCache::Dense(kv) => {
                kv.push(k, v);
                (kv.keys(), kv.values())
            }
            LayerCache::Sparse {
                block: window,
                ends,
            } if self.window => {
                window.push(k, v);
                if window.len() > self.block {
                    // The oldest position leaves the window; a block end stays readable.
                    let left = (position + 1).saturating_sub(window.len());
                    if left % self.block == self.block - 1
                        && let (Some(key), Some(value)) = (window.first_key(), window.first_value())
                    {
                        ends.push(key, value);
                    }
                    window.drop_first();
                }
                (
                    Some(joined(ends.keys(), window.keys())),
                    Some(joined(ends.values(), window.values())),
                )
            }
            LayerCache::Sparse { block, ends } => {
                block.push(k, v);
                let keys = joined(ends.keys(), block.keys());
                let values = joined(ends.values(), block.values());
                let size = self.block;
                if position % size == size - 1 {
                    // The block is complete: only its last position stays readable.
                    let [b, h, n, dh] = block.keys().map(|t| t.dims()).unwrap_or_default();
                    let last =
                        |t: Option<Tensor<4>>| t.map(|t| t.slice([0..b, 0..h, n - 1..n, 0..dh]));
                    if let (Some(key), Some(value)) = (last(block.keys()), last(block.values())) {
                        ends.push(key, value);
                    }
                    block.clear();
                }
                (Some(keys), Some(values))
            }
            _ => panic!("softmax attention was given a cache of another layer type"),
        };
        let (keys, values) = (keys.expect("key pushed"), values.expect("value pushed"));
        let mut scores = self.scores(q, keys);
        if self.positional == PositionalEncoding::Alibi {
            // The keys the cache holds, in position order: those the pattern lets `position` read.
            let pattern = self.pattern();
            let read: Vec<usize> = (0..=position)
                .filter(|&j| pattern.allows(position, j))
                .collect();
            scores = alibi(scores, &[position], &read);
        }
        let w = weights(scores, None, self.mode, self.scale);
        (self.projections.merge(w.clone().matmul(values)), w)
    }
}

/// The earlier blocks' ends followed by the recent positions, along the position axis.
fn joined(ends: Option<Tensor<4>>, recent: Option<Tensor<4>>) -> Tensor<4> {
    Tensor::cat(ends.into_iter().chain(recent).collect(), 2)
}
