//! The position-wise feed-forward part of an attention layer: `x + W₂ GELU(W₁ LN(x))`, with a
//! hidden width of 4d.

use burn::nn::{Gelu, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

#[derive(Module, Debug)]
pub struct Mlp {
    norm: LayerNorm,
    up: Linear,
    act: Gelu,
    down: Linear,
}

impl Mlp {
    pub fn new(d_model: usize, device: &Device) -> Self {
        Self {
            norm: LayerNormConfig::new(d_model).init(device),
            up: LinearConfig::new(d_model, 4 * d_model).init(device),
            act: Gelu::new(),
            down: LinearConfig::new(4 * d_model, d_model).init(device),
        }
    }

    /// `[B, T, d]` → `[B, T, d]`, residual included.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let hidden = self
            .act
            .forward(self.up.forward(self.norm.forward(x.clone())));
        x + self.down.forward(hidden)
    }
}
