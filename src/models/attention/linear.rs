//! Causal linear attention (Katharopoulos et al.) with φ(x) = elu(x) + 1: a parallel form for
//! training and a recurrent form for decoding whose state does not grow with position.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::elu;

use crate::models::cache::LayerCache;

/// Keeps the normaliser away from zero.
const EPS: f64 = 1e-6;

fn phi<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    elu(x, 1.0).add_scalar(1.0)
}

#[derive(Module, Debug)]
pub struct LinearAttention {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    #[module(skip)]
    n_heads: usize,
}

impl LinearAttention {
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

    fn heads(&self, y: Tensor<3>) -> Tensor<4> {
        let [b, t, d] = y.dims();
        y.reshape([b, t, self.n_heads, d / self.n_heads])
            .swap_dims(1, 2)
    }

    fn merge(&self, y: Tensor<4>) -> Tensor<3> {
        let [b, h, t, dh] = y.dims();
        self.output
            .forward(y.swap_dims(1, 2).reshape([b, t, h * dh]))
    }

    /// Parallel form. `x: [B, T, d]` → (`[B, T, d]`, the implied normalised causal weights
    /// `φ(q_i)·φ(k_j) / Σ_{j' ≤ i} φ(q_i)·φ(k_j')`, `[B, H, T, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let [b, t, _] = x.dims();
        let q = phi(self.heads(self.query.forward(x.clone())));
        let k = phi(self.heads(self.key.forward(x.clone())));
        let v = self.heads(self.value.forward(x.clone()));
        let h = q.dims()[1];
        let future = Tensor::<2, Bool>::tril_mask([t, t], 0, &x.device())
            .unsqueeze::<4>()
            .expand([b, h, t, t]);
        let a = q.matmul(k.swap_dims(2, 3)).mask_fill(future, 0.0);
        let w = a.clone().div(a.sum_dim(3).add_scalar(EPS));
        (self.merge(w.clone().matmul(v)), w)
    }

    pub fn empty_cache(&self, batch: usize, d_model: usize, device: &Device) -> LayerCache {
        let h = self.n_heads;
        let dh = d_model / h;
        LayerCache::Linear {
            state: Tensor::zeros([batch, h, dh, dh], device),
            normaliser: Tensor::zeros([batch, h, 1, dh], device),
        }
    }

    /// Recurrent form: `S += φ(k)ᵀv`, `z += φ(k)`, `out = φ(q)S / (φ(q)·z)`.
    /// Returns the output and `φ(q)·φ(k)` normalised for the newest key only (`[B, H, 1, 1]`):
    /// the full row of weights is not kept, by design.
    pub fn step(&self, x: Tensor<3>, cache: &mut LayerCache) -> (Tensor<3>, Tensor<4>) {
        let LayerCache::Linear { state, normaliser } = cache else {
            panic!("linear attention was given a cache of another layer type");
        };
        let q = phi(self.heads(self.query.forward(x.clone())));
        let k = phi(self.heads(self.key.forward(x.clone())));
        let v = self.heads(self.value.forward(x));
        *state = state.clone() + k.clone().swap_dims(2, 3).matmul(v);
        *normaliser = normaliser.clone() + k.clone();
        let den = q.clone().mul(normaliser.clone()).sum_dim(3).add_scalar(EPS);
        let out = q.clone().matmul(state.clone()).div(den.clone());
        let newest = q.mul(k).sum_dim(3).div(den);
        (self.merge(out), newest)
    }
}
