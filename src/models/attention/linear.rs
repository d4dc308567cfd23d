//! Causal linear attention (Katharopoulos et al.) with φ(x) = elu(x) + 1: a parallel form for
//! training and a recurrent form for decoding whose state does not grow with position.

use burn::prelude::*;

use crate::models::Rows;
use burn::tensor::activation::elu;

use super::mask::Pattern;
use super::projections::Projections;
use crate::models::cache::LayerCache;

/// Keeps the normaliser away from zero.
const EPS: f64 = 1e-6;

fn phi<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    elu(x, 1.0).add_scalar(1.0)
}

#[derive(Module, Debug)]
pub struct LinearAttention {
    projections: Projections,
}

impl LinearAttention {
    pub fn n_heads(&self) -> usize {
        self.projections.n_heads()
    }

    /// The same weights with head `h` silenced ([`Projections::without_head`]).
    pub fn without_head(mut self, h: usize) -> Self {
        self.projections = self.projections.without_head(h);
        self
    }

    pub fn new(d_model: usize, n_heads: usize, device: &Device) -> Self {
        Self {
            projections: Projections::new(d_model, n_heads, device),
        }
    }

    /// Parallel form. `x: [B, T, d]` → (`[B, T, d]`, the implied normalised causal weights
    /// `φ(q_i)·φ(k_j) / Σ_{j' ≤ i} φ(q_i)·φ(k_j')`, `[B, H, T, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<4>) {
        let [_, t, _] = x.dims();
        let future = Pattern::Dense.blocked(t, &x.device());
        let (q, k, v) = self.projections.qkv(x);
        let (q, k) = (phi(q), phi(k));
        let a = q.matmul(k.swap_dims(2, 3));
        let a = a.clone().mask_fill(future.expand(a.dims()), 0.0);
        let w = a.clone().div(a.sum_dim(3).add_scalar(EPS));
        (self.projections.merge(w.clone().matmul(v)), w)
    }

    /// [`forward`](Self::forward) read only at the positions `rows` (sorted, `< T`): `x:
    /// [B, T, d]` → `[B, R, d]`.
    pub fn forward_at(&self, x: Tensor<3>, rows: &Rows) -> Tensor<3> {
        let [_, t, _] = x.dims();
        let device = x.device();
        let future = Pattern::Dense.blocked_rows(rows.as_slice(), t, &device);
        let (q, k, v) = self.projections.qkv_at(x, rows.index(&device));
        let (q, k) = (phi(q), phi(k));
        let a = q.matmul(k.swap_dims(2, 3));
        let a = a.clone().mask_fill(future.expand(a.dims()), 0.0);
        let w = a.clone().div(a.sum_dim(3).add_scalar(EPS));
        self.projections.merge(w.matmul(v))
    }

    pub fn empty_cache(&self, batch: usize, d_model: usize, device: &Device) -> LayerCache {
        let h = self.projections.n_heads();
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
        let (q, k, v) = self.projections.qkv(x);
        let (q, k) = (phi(q), phi(k));
        *state = state.clone() + k.clone().swap_dims(2, 3).matmul(v);
        *normaliser = normaliser.clone() + k.clone();
        let den = q.clone().mul(normaliser.clone()).sum_dim(3).add_scalar(EPS);
        let out = q.clone().matmul(state.clone()).div(den.clone());
        let newest = q.mul(k).sum_dim(3).div(den);
        (self.projections.merge(out), newest)
    }
}
