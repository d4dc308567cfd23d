//! A GRU layer, hand-written for the same reason as the LSTM: one cell function for the
//! batch scan and the decoding step.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{sigmoid, tanh};

use super::{at, join_steps, row_norms, steps};
use crate::models::cache::LayerCache;

#[derive(Module, Debug)]
pub struct GruLayer {
    /// `x → [r, z, n]` pre-activations.
    input: Linear,
    /// `h → [r, z, n]` pre-activations (the `n` part is gated by `r`).
    hidden: Linear,
    #[module(skip)]
    d: usize,
}

impl GruLayer {
    pub fn new(d: usize, device: &Device) -> Self {
        Self {
            input: LinearConfig::new(d, 3 * d).init(device),
            hidden: LinearConfig::new(d, 3 * d).init(device),
            d,
        }
    }

    fn cell(&self, gates_x: Tensor<2>, h: Tensor<2>) -> Tensor<2> {
        let b = h.dims()[0];
        let d = self.d;
        let gates_h = self.hidden.forward(h.clone());
        let part = |t: &Tensor<2>, k: usize| t.clone().slice([0..b, k * d..(k + 1) * d]);
        let r = sigmoid(part(&gates_x, 0) + part(&gates_h, 0));
        let z = sigmoid(part(&gates_x, 1) + part(&gates_h, 1));
        let n = tanh(part(&gates_x, 2) + r * part(&gates_h, 2));
        z.clone().neg().add_scalar(1.0) * n + z * h
    }

    /// `x: [B, T, d]` → (`[B, T, d]`, hidden-state norms `[B, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<2>) {
        let [b, t, d] = x.dims();
        let mut h = Tensor::zeros([b, d], &x.device());
        let mut outputs = Vec::with_capacity(t);
        for gates_x in steps(self.input.forward(x)) {
            h = self.cell(gates_x, h);
            outputs.push(h.clone());
        }
        let outputs = join_steps(outputs);
        // The state is the output: its norms are one op over the whole sequence.
        (outputs.clone(), row_norms(outputs))
    }

    pub fn empty_cache(&self, batch: usize, device: &Device) -> LayerCache {
        LayerCache::Gru {
            hidden: Tensor::zeros([batch, self.d], device),
        }
    }

    /// `x: [B, 1, d]` → `[B, 1, d]`.
    pub fn step(&self, x: Tensor<3>, cache: &mut LayerCache) -> Tensor<3> {
        let LayerCache::Gru { hidden } = cache else {
            panic!("GRU layer was given a cache of another layer type");
        };
        let h = self.cell(at(&self.input.forward(x), 0), hidden.clone());
        *hidden = h.clone();
        h.unsqueeze_dim(1)
    }
}
