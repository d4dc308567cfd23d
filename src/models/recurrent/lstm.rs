//! An LSTM layer. Hand-written rather than `burn::nn::Lstm` so that the batch scan and the
//! one-token decoding step share one cell function and the state is ours to show.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{sigmoid, tanh};

use super::{at, join_steps, lstm_scan, row_norms, steps};
use crate::models::cache::LayerCache;
use crate::models::fused_linear::linear;

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

    /// `x: [B, T, d]` → (`[B, T, d]`, cell-state norms `[B, T]`). On the CPU backend the scan
    /// is one fused operation ([`super::lstm_scan`]); elsewhere the cell below, step by step.
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<2>) {
        let [b, t, _] = x.dims();
        let device = x.device();
        let gates_x = linear(&self.input, x);
        if let Some((hidden, norms)) = lstm_scan::scan(&gates_x, &self.hidden.weight.val()) {
            let norms = Tensor::<1>::from_floats(norms.as_slice(), &device).reshape([b, t]);
            return (hidden, norms);
        }
        self.scan_cells(gates_x)
    }

    /// The scan as tensor operations, one [`cell`](Self::cell) per step (every backend):
    /// `gates_x: [B, T, 4d]` → (`[B, T, d]`, cell-state norms `[B, T]`).
    fn scan_cells(&self, gates_x: Tensor<3>) -> (Tensor<3>, Tensor<2>) {
        let [b, t, _] = gates_x.dims();
        let mut h = Tensor::zeros([b, self.d], &gates_x.device());
        let mut c = h.clone();
        let mut outputs = Vec::with_capacity(t);
        let mut cells = Vec::with_capacity(t);
        for gates_x in steps(gates_x) {
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
        let gates_x = at(&linear(&self.input, x), 0);
        let (h, c) = self.cell(gates_x, hidden.clone(), cell.clone());
        *hidden = h.clone();
        *cell = c;
        h.unsqueeze_dim(1)
    }
}

#[cfg(test)]
mod tests {
    use burn::module::{Module, ModuleVisitor, Param};
    use burn::optim::GradientsParams;
    use burn::tensor::Distribution;

    use super::*;

    /// max |Δ| between two sets of gradients, over every parameter both have.
    struct Compare(GradientsParams, GradientsParams, f32, usize);

    impl ModuleVisitor for Compare {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let (Some(a), Some(b)) = (self.0.get::<D>(param.id), self.1.get::<D>(param.id)) {
                self.2 = self.2.max((a - b).abs().max().into_scalar::<f32>());
                self.3 += 1;
            }
        }
    }

    /// The fused CPU scan and the per-step tensor form give the same outputs, norms and
    /// gradients (the tensor form is what WebGPU runs).
    #[test]
    fn the_fused_scan_equals_the_tensor_form() {
        let device = Device::flex().autodiff();
        device.seed(7);
        let layer = LstmLayer::new(8, &device);
        let x = Tensor::<3>::random([3, 9, 8], Distribution::Normal(0.0, 1.0), &device);
        let weights = Tensor::<3>::random([3, 9, 8], Distribution::Normal(0.0, 1.0), &device);
        let (fused, fused_norms) = layer.forward(x.clone());
        let (plain, plain_norms) = layer.scan_cells(layer.input.forward(x));
        let diff = |a: Tensor<3>, b: Tensor<3>| (a - b).abs().max().into_scalar::<f32>();
        assert!(diff(fused.clone(), plain.clone()) < 1e-5);
        let norms = (fused_norms - plain_norms).abs().max().into_scalar::<f32>();
        assert!(norms < 1e-5, "{norms}");
        let grads = |h: Tensor<3>| {
            let loss = (h * weights.clone()).sum();
            GradientsParams::from_grads(loss.backward(), &layer)
        };
        let mut compare = Compare(grads(fused), grads(plain), 0.0, 0);
        layer.visit(&mut compare);
        assert_eq!(compare.3, 3, "W_x, b and W_h have gradients");
        assert!(compare.2 < 1e-4, "gradients differ by {}", compare.2);
    }
}
