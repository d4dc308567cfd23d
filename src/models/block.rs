//! One pre-LN transformer block: `x + Attn(LN(x))`, then `x + MLP(LN(x))` with a 4d GELU MLP.

use burn::nn::{Gelu, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::attention::CausalSelfAttention;

#[derive(Module, Debug)]
pub struct Block {
    norm_attn: LayerNorm,
    attention: CausalSelfAttention,
    norm_mlp: LayerNorm,
    up: Linear,
    act: Gelu,
    down: Linear,
}

impl Block {
    pub fn new(d_model: usize, n_heads: usize, device: &Device) -> Self {
        Self {
            norm_attn: LayerNormConfig::new(d_model).init(device),
            attention: CausalSelfAttention::new(d_model, n_heads, device),
            norm_mlp: LayerNormConfig::new(d_model).init(device),
            up: LinearConfig::new(d_model, 4 * d_model).init(device),
            act: Gelu::new(),
            down: LinearConfig::new(4 * d_model, d_model).init(device),
        }
    }

    /// `[B, T, d]` → (`[B, T, d]`, attention weights `[B, H, T, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let (attended, weights) = self.attention.forward(self.norm_attn.forward(x.clone()));
        let x = x + attended;
        let hidden = self
            .act
            .forward(self.up.forward(self.norm_mlp.forward(x.clone())));
        (x.clone() + self.down.forward(hidden), weights)
    }
}
