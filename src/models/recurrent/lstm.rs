//! An LSTM layer. Hand-written rather than `burn::nn::Lstm` so that the batch scan and the
//! one-token decoding step share one cell function and the state is ours to show.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{sigmoid, tanh};

use super::{at, join_steps, row_norms, steps};
use crate::models::cache::LayerCache;

#[derive(Module, Debug)]
pub struct LstmLayer {
    /// `x → [i, f, g, o]` pre-activations (with bias).
    input: Linear,
    /// `h → [i, f, g, o]` pre-activations (no bias).
    hidden: Linear,
    #[module(skip)]
    d: usize,
}

impl LstmLayer {
    pub fn new(d: usize, device: &Device) -> Self {
        Self {
            input: LinearConfig::new(d, 4 * d).init(device),
            hidden: LinearConfig::new(d, 4 * d).with_bias(false).init(device),
            d,
        }
    }

    /// One cell update from the input pre-activations `[B, 4d]`.
    fn cell(&self, gates_x: Tensor<2>, h: Tensor<2>, c: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let b = h.dims()[0];
        let d = self.d;
        let gates = gates_x + self.hidden.forward(h);
        let gate = |k: usize| gates.clone().slice([0..b, k * d..(k + 1) * d]);
        let (i, f, g, o) = (
            sigmoid(gate(0)),
            sigmoid(gate(1)),
            tanh(gate(2)),
            sigmoid(gate(3)),
        );
        let c = f * c + i * g;
        (o * tanh(c.clone()), c)
    }

    /// `x: [B, T, d]` → (`[B, T, d]`, cell-state norms `[B, T]`).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<2>) {
        let [b, t, d] = x.dims();
        let device = x.device();
        let mut h = Tensor::zeros([b, d], &device);
        let mut c = h.clone();
        let mut outputs = Vec::with_capacity(t);
        let mut cells = Vec::with_capacity(t);
        for gates_x in steps(self.input.forward(x)) {
            (h, c) = self.cell(gates_x, h, c);
            cells.push(c.clone());
            outputs.push(h.clone());
        }
        // The norms come from the stacked cell states after the scan: one op, not four per step.
        (join_steps(outputs), row_norms(join_steps(cells)))
    }

    pub fn empty_cache(&self, batch: usize, device: &Device) -> LayerCache {
        let zeros = Tensor::zeros([batch, self.d], device);
        LayerCache::Lstm {
            hidden: zeros.clone(),
            cell: zeros,
        }
    }

    /// `x: [B, 1, d]` → `[B, 1, d]`.
    pub fn step(&self, x: Tensor<3>, cache: &mut LayerCache) -> Tensor<3> {
        let LayerCache::Lstm { hidden, cell } = cache else {
            panic!("LSTM layer was given a cache of another layer type");
        };
        let gates_x = at(&self.input.forward(x), 0);
        let (h, c) = self.cell(gates_x, hidden.clone(), cell.clone());
        *hidden = h.clone();
        *cell = c;
        h.unsqueeze_dim(1)
    }
}
