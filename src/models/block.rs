//! One pre-LN transformer block: `x + Mix(LN(x))`, then `x + MLP(LN(x))` with a 4d GELU MLP.
//! The token mixer is softmax-style attention (dense or sparse) or linear attention.

use burn::nn::{Gelu, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::AttentionMode;
use super::attention::{CausalSelfAttention, LinearAttention, Pattern};
use super::cache::LayerCache;

/// The attention sublayer of a block.
#[derive(Module, Debug)]
pub enum Mixer {
    Softmax(CausalSelfAttention),
    Linear(LinearAttention),
}

#[derive(Module, Debug)]
pub struct Block {
    norm_attn: LayerNorm,
    mixer: Mixer,
    norm_mlp: LayerNorm,
    up: Linear,
    act: Gelu,
    down: Linear,
}

impl Block {
    /// A block with softmax-style attention over `pattern`.
    pub fn softmax(d_model: usize, n_heads: usize, pattern: Pattern, device: &Device) -> Self {
        Self::with_mixer(
            d_model,
            Mixer::Softmax(CausalSelfAttention::new(d_model, n_heads, pattern, device)),
            device,
        )
    }

    /// A block with linear attention.
    pub fn linear(d_model: usize, n_heads: usize, device: &Device) -> Self {
        Self::with_mixer(
            d_model,
            Mixer::Linear(LinearAttention::new(d_model, n_heads, device)),
            device,
        )
    }

    fn with_mixer(d_model: usize, mixer: Mixer, device: &Device) -> Self {
        Self {
            norm_attn: LayerNormConfig::new(d_model).init(device),
            mixer,
            norm_mlp: LayerNormConfig::new(d_model).init(device),
            up: LinearConfig::new(d_model, 4 * d_model).init(device),
            act: Gelu::new(),
            down: LinearConfig::new(4 * d_model, d_model).init(device),
        }
    }

    /// The same weights under another attention mode (linear attention has none).
    pub fn with_mode(mut self, mode: AttentionMode, scale: f32) -> Self {
        if let Mixer::Softmax(attention) = self.mixer {
            self.mixer = Mixer::Softmax(attention.with_mode(mode, scale));
        }
        self
    }

    fn mlp(&self, x: Tensor<3>) -> Tensor<3> {
        let hidden = self
            .act
            .forward(self.up.forward(self.norm_mlp.forward(x.clone())));
        x + self.down.forward(hidden)
    }

    /// `[B, T, d]` → (`[B, T, d]`, attention weights `[B, H, T, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let normed = self.norm_attn.forward(x.clone());
        let (attended, weights) = match &self.mixer {
            Mixer::Softmax(a) => a.forward(normed),
            Mixer::Linear(a) => a.forward(normed),
        };
        (self.mlp(x + attended), weights)
    }

    pub fn empty_cache(&self, batch: usize, d_model: usize, device: &Device) -> LayerCache {
        match &self.mixer {
            Mixer::Softmax(a) => a.empty_cache(),
            Mixer::Linear(a) => a.empty_cache(batch, d_model, device),
        }
    }

    /// One token: `[B, 1, d]` → `[B, 1, d]`, updating this layer's cache.
    pub fn step(&self, x: Tensor<3>, position: usize, cache: &mut LayerCache) -> Tensor<3> {
        let normed = self.norm_attn.forward(x.clone());
        let (attended, _) = match &self.mixer {
            Mixer::Softmax(a) => a.step(normed, position, cache),
            Mixer::Linear(a) => a.step(normed, cache),
        };
        self.mlp(x + attended)
    }
}
