//! Causal multi-head softmax self-attention that can return its weights.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// Multi-head causal self-attention: `softmax(QKᵀ/√d_h + causal mask) V`.
#[derive(Module, Debug)]
pub struct CausalSelfAttention {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    #[module(skip)]
    n_heads: usize,
}

impl CausalSelfAttention {
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

    /// `x: [B, T, d]` → (`[B, T, d]`, weights `[B, H, T, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let [b, t, d] = x.dims();
        let h = self.n_heads;
        let dh = d / h;
        let split = |y: Tensor<3>| y.reshape([b, t, h, dh]).swap_dims(1, 2);
        let q = split(self.query.forward(x.clone()));
        let k = split(self.key.forward(x.clone()));
        let v = split(self.value.forward(x));
        let scores = q.matmul(k.swap_dims(2, 3)).div_scalar((dh as f64).sqrt());
        // `tril_mask` is true strictly above the diagonal: the future keys.
        let future = Tensor::<2, Bool>::tril_mask([t, t], 0, &scores.device())
            .unsqueeze::<4>()
            .expand([b, h, t, t]);
        let weights = softmax(scores.mask_fill(future, -1.0e9), 3);
        let mixed = weights.clone().matmul(v).swap_dims(1, 2).reshape([b, t, d]);
        (self.output.forward(mixed), weights)
    }
}
