//! The position-wise feed-forward part of an attention layer: `x + W₂ GELU(W₁ LN(x))`, with a
//! hidden width of 4d.

use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::fused_gelu::gelu;
use super::fused_layer_norm::layer_norm;
use super::fused_linear::linear;

#[derive(Module, Debug)]
pub struct Mlp {
    norm: LayerNorm,
    up: Linear,
    down: Linear,
}

impl Mlp {
    pub fn new(d_model: usize, device: &Device) -> Self {
        Self {
            norm: LayerNormConfig::new(d_model).init(device),
            up: LinearConfig::new(d_model, 4 * d_model).init(device),
            down: LinearConfig::new(4 * d_model, d_model).init(device),
        }
    }

    /// `[B, T, d]` → `[B, T, d]`, residual included.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let hidden = gelu(linear(&self.up, layer_norm(&self.norm, x.clone())));
        x + linear(&self.down, hidden)
    }
}
