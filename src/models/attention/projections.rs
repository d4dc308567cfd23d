//! The query/key/value/output projections shared by every attention variant, with the
//! split into heads and the merge back.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

#[derive(Module, Debug)]
pub struct Projections {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    #[module(skip)]
    n_heads: usize,
}

impl Projections {
    pub fn new(d_model: usize, n_heads: usize, device: &Device) -> Self {
        let linear = || LinearConfig::new(d_model, d_model).init(device);
        Self {
            query: linear(),
            key: linear(),
            value: linear(),
            output: linear(),
            n_heads,
        }
    }

    pub fn n_heads(&self) -> usize {
        self.n_heads
    }

    fn heads(&self, y: Tensor<3>) -> Tensor<4> {
        let [b, t, d] = y.dims();
        y.reshape([b, t, self.n_heads, d / self.n_heads])
            .swap_dims(1, 2)
    }

    /// `x: [B, T, d]` → `q, k, v`, each `[B, H, T, d_h]`.
    pub fn qkv(&self, x: Tensor<3>) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        (
            self.heads(self.query.forward(x.clone())),
            self.heads(self.key.forward(x.clone())),
            self.heads(self.value.forward(x)),
        )
    }

    /// `[B, H, T, d_h]` → `[B, T, d]` through the output projection.
    pub fn merge(&self, y: Tensor<4>) -> Tensor<3> {
        let [b, h, t, dh] = y.dims();
        self.output
            .forward(y.swap_dims(1, 2).reshape([b, t, h * dh]))
    }
}
