//! The query/key/value/output projections shared by every attention variant, with the
//! split into heads and the merge back.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use crate::models::fused_linear::linear;

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
            self.heads(linear(&self.query, x.clone())),
            self.heads(linear(&self.key, x.clone())),
            self.heads(linear(&self.value, x)),
        )
    }

    /// [`qkv`](Self::qkv) with queries only at the positions `rows` (`[R]`): `q` is
    /// `[B, H, R, d_h]`, `k` and `v` cover every position.
    pub fn qkv_at(&self, x: Tensor<3>, rows: Tensor<1, Int>) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        (
            self.heads(linear(&self.query, x.clone().select(1, rows))),
            self.heads(linear(&self.key, x.clone())),
            self.heads(linear(&self.value, x)),
        )
    }

    /// `[B, H, T, d_h]` → `[B, T, d]` through the output projection.
    pub fn merge(&self, y: Tensor<4>) -> Tensor<3> {
        let [b, h, t, dh] = y.dims();
        linear(&self.output, y.swap_dims(1, 2).reshape([b, t, h * dh]))
    }

    /// The same weights with head `h` silenced: its rows of the output projection are zero, so
    /// the layer computes as if the head wrote nothing (zero ablation). The attention weights
    /// it would use are unchanged (a trace still shows them).
    pub fn without_head(mut self, h: usize) -> Self {
        let w = self.output.weight.val();
        let [d_in, _] = w.dims();
        let dh = d_in / self.n_heads;
        let keep: Vec<f32> = (0..d_in)
            .map(|i| if i / dh == h { 0.0 } else { 1.0 })
            .collect();
        let mask = Tensor::<1>::from_floats(keep.as_slice(), &w.device()).reshape([d_in, 1]);
        self.output.weight = Param::from_tensor(w.mul(mask));
        self
    }
}
