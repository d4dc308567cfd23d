//! The LSTM's scan over a sequence as one operation of the CPU backend, with its own backward
//! pass (back-propagation through time written out), instead of a dozen tracked tensor
//! operations per time step.
//!
//! On the CPU a claims-size LSTM (batch 32, 131 steps, width 64) spent its step in those
//! operations' element-wise passes, each a fresh allocation and a loop of its own; PyTorch's
//! `nn.LSTM` does the same cell in one fused kernel. Here a time step is one matrix product
//! (`gemm`, the crate burn's CPU backend multiplies with) and one loop over the gates, and the
//! backward pass one loop and one product per step plus one product for the weight's gradient.
//! The arithmetic is the cell of [`super::LstmLayer`]: `[i, f, g, o] = x W_x + b + h W_h`,
//! `c' = σ(f) c + σ(i) tanh(g)`, `h' = σ(o) tanh(c')`. Other backends (WebGPU) keep the tensor
//! form; `lab model check` and the tests hold both forms to the same logits and gradients.

use std::sync::Arc;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex, TensorMetadata};
use burn::prelude::*;

use crate::models::fast_exp::exp;
use crate::models::flex_io;
use crate::models::gemm_product::product;
use crate::models::widest_vectors::widest_vectors;

/// What the scan computed, kept for the backward pass: `[B, T, 4d]` activated gates
/// `σ(i), σ(f), tanh(g), σ(o)`, and `[B, T, d]` cell states, their tanh and hidden states.
#[derive(Debug, Clone)]
struct Scan {
    batch: usize,
    steps: usize,
    width: usize,
    gates: Vec<f32>,
    cells: Vec<f32>,
    tanh_cells: Vec<f32>,
    hidden: Vec<f32>,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `tanh` through one `exp` (libm's `tanhf` goes through `expm1f` and cost a third of the
/// scan): `sign(x) (1 − e^{−2|x|}) / (1 + e^{−2|x|})`, within 1e-6 of `tanh` (a test checks).
fn tanh(x: f32) -> f32 {
    let e = exp(-2.0 * x.abs());
    ((1.0 - e) / (1.0 + e)).copysign(x)
}

/// The forward scan: `gates` `[B, T, 4d]` (the input's pre-activations, bias included; the
/// buffer becomes the activated gates) and `w` `[d, 4d]` (the hidden state's weights, `h W`).
fn forward(mut gates: Vec<f32>, w: &[f32], batch: usize, steps: usize, width: usize) -> Scan {
    let (d, g4) = (width, 4 * width);
    assert_eq!(gates.len(), batch * steps * g4, "gates are [B, T, 4d]");
    assert_eq!(w.len(), d * g4, "the hidden weights are [d, 4d]");
    let mut cells = vec![0.0f32; batch * steps * d];
    let mut tanh_cells = vec![0.0f32; batch * steps * d];
    let mut hidden = vec![0.0f32; batch * steps * d];
    let zeros = vec![0.0f32; d];
    for t in 0..steps {
        if t > 0 {
            // gates[:, t] += hidden[:, t - 1] · W, rows strided by a whole sequence.
            // SAFETY: row b of the destination starts at (b·T + t)·4d and spans 4d entries,
            // row b of the left operand at (b·T + t − 1)·d spanning d; W is d × 4d.
            unsafe {
                product(
                    (batch, g4, d),
                    gates.as_mut_ptr().add(t * g4),
                    (steps * g4, 1),
                    true,
                    hidden.as_ptr().add((t - 1) * d),
                    (steps * d, 1),
                    w.as_ptr(),
                    (g4, 1),
                );
            }
        }
        for b in 0..batch {
            let row = (b * steps + t) * g4;
            let at = (b * steps + t) * d;
            let (gi, rest) = gates[row..row + g4].split_at_mut(d);
            let (gf, rest) = rest.split_at_mut(d);
            let (gg, go) = rest.split_at_mut(d);
            // The cell state before this step (zero at t = 0) and this step's, disjoint.
            let (done, now) = cells.split_at_mut(at);
            let before = if t > 0 { &done[at - d..] } else { &zeros[..] };
            let now = &mut now[..d];
            let tc_row = &mut tanh_cells[at..at + d];
            let h_row = &mut hidden[at..at + d];
            cell_forward([gi, gf, gg, go], before, now, tc_row, h_row);
        }
    }
    Scan {
        batch,
        steps,
        width,
        gates,
        cells,
        tanh_cells,
        hidden,
    }
}

/// One time step of one sequence: the gates' pre-activations become `σ(i), σ(f), tanh(g), σ(o)`
/// in place, and the cell state, its tanh and the hidden state are written. A function of its
/// own with every row a separate slice, so that the compiler knows they do not overlap and
/// vectorizes the loop (at the CPU's widest vectors: [`widest_vectors`]).
#[inline(always)]
fn cell_forward_body(
    gates: [&mut [f32]; 4],
    before: &[f32],
    cell: &mut [f32],
    tanh_cell: &mut [f32],
    hidden: &mut [f32],
) {
    let [gi, gf, gg, go] = gates;
    let d = gi.len();
    let (gf, gg, go, before) = (&mut gf[..d], &mut gg[..d], &mut go[..d], &before[..d]);
    let (cell, tanh_cell, hidden) = (&mut cell[..d], &mut tanh_cell[..d], &mut hidden[..d]);
    for j in 0..d {
        let i = sigmoid(gi[j]);
        let f = sigmoid(gf[j]);
        let g = tanh(gg[j]);
        let o = sigmoid(go[j]);
        gi[j] = i;
        gf[j] = f;
        gg[j] = g;
        go[j] = o;
        let c = f * before[j] + i * g;
        let tc = tanh(c);
        cell[j] = c;
        tanh_cell[j] = tc;
        hidden[j] = o * tc;
    }
}

/// One time step of one sequence backwards: from the hidden state's gradient (the loss's at
/// this step and the next step's through `W`) and the next cell state's, the gates'
/// pre-activation gradients; `dc_next` becomes this step's cell gradient through `f`.
#[inline(always)]
fn cell_backward_body(
    gates: [&[f32]; 4],
    before: &[f32],
    tanh_cell: &[f32],
    d_hiddens: [&[f32]; 2],
    dc_next: &mut [f32],
    d_gates: [&mut [f32]; 4],
) {
    let ([gi, gf, gg, go], [d_hidden, dh_next]) = (gates, d_hiddens);
    let [di, df, dg, d_o] = d_gates;
    let d = gi.len();
    let (gf, gg, go, before, tanh_cell) =
        (&gf[..d], &gg[..d], &go[..d], &before[..d], &tanh_cell[..d]);
    let (d_hidden, dh_next, dc_next) = (&d_hidden[..d], &dh_next[..d], &mut dc_next[..d]);
    let (di, df, dg, d_o) = (&mut di[..d], &mut df[..d], &mut dg[..d], &mut d_o[..d]);
    for j in 0..d {
        let (i, f, g, o) = (gi[j], gf[j], gg[j], go[j]);
        let tc = tanh_cell[j];
        let dh = d_hidden[j] + dh_next[j];
        let dc = dc_next[j] + dh * o * (1.0 - tc * tc);
        dc_next[j] = dc * f;
        di[j] = dc * g * i * (1.0 - i);
        df[j] = dc * before[j] * f * (1.0 - f);
        dg[j] = dc * i * (1.0 - g * g);
        d_o[j] = dh * tc * o * (1.0 - o);
    }
}

widest_vectors!(
    fn cell_forward(
        gates: [&mut [f32]; 4],
        before: &[f32],
        cell: &mut [f32],
        tanh_cell: &mut [f32],
        hidden: &mut [f32],
    ) => cell_forward_body
);

widest_vectors!(
    fn cell_backward(
        gates: [&[f32]; 4],
        before: &[f32],
        tanh_cell: &[f32],
        d_hiddens: [&[f32]; 2],
        dc_next: &mut [f32],
        d_gates: [&mut [f32]; 4],
    ) => cell_backward_body
);

impl Scan {
    /// The L2 norm of every cell state, `[B, T]` row-major (what the trace shows).
    fn cell_norms(&self) -> Vec<f32> {
        self.cells
            .chunks(self.width)
            .map(|c| c.iter().map(|v| v * v).sum::<f32>().sqrt())
            .collect()
    }
}

/// The backward scan: from `d_hidden` `[B, T, d]` (the loss's gradient at every hidden
/// state) to the gradients of `gates_x` `[B, T, 4d]` and of `w` `[d, 4d]`.
fn backward(scan: &Scan, w: &[f32], d_hidden: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let Scan {
        batch,
        steps,
        width: d,
        ..
    } = *scan;
    let g4 = 4 * d;
    let mut d_gates = vec![0.0f32; batch * steps * g4];
    let mut dh_next = vec![0.0f32; batch * d];
    let mut dc_next = vec![0.0f32; batch * d];
    let zeros = vec![0.0f32; d];
    for t in (0..steps).rev() {
        for b in 0..batch {
            let row = (b * steps + t) * g4;
            let at = (b * steps + t) * d;
            let gates = &scan.gates[row..row + g4];
            let (gi, gf, gg, go) = (
                &gates[..d],
                &gates[d..2 * d],
                &gates[2 * d..3 * d],
                &gates[3 * d..],
            );
            let before = if t > 0 {
                &scan.cells[at - d..at]
            } else {
                &zeros[..]
            };
            let tc_row = &scan.tanh_cells[at..at + d];
            let dh_row = &d_hidden[at..at + d];
            let dh_next = &dh_next[b * d..(b + 1) * d];
            let dc_next = &mut dc_next[b * d..(b + 1) * d];
            let (di, rest) = d_gates[row..row + g4].split_at_mut(d);
            let (df, rest) = rest.split_at_mut(d);
            let (dg, d_o) = rest.split_at_mut(d);
            cell_backward(
                [gi, gf, gg, go],
                before,
                tc_row,
                [dh_row, dh_next],
                dc_next,
                [di, df, dg, d_o],
            );
        }
        if t > 0 {
            // dh_next = d_gates[:, t] · Wᵀ (W is d × 4d: Wᵀ's row r is W's column r).
            // SAFETY: the destination is B × d; the left operand's row b starts at
            // (b·T + t)·4d and spans 4d; Wᵀ reads W[j, r] at j·4d + r.
            unsafe {
                product(
                    (batch, d, g4),
                    dh_next.as_mut_ptr(),
                    (d, 1),
                    false,
                    d_gates.as_ptr().add(t * g4),
                    (steps * g4, 1),
                    w.as_ptr(),
                    (1, g4),
                );
            }
        }
    }
    // dW = Σ_b Σ_{t ≥ 1} hidden[b, t − 1]ᵀ · d_gates[b, t].
    let mut d_w = vec![0.0f32; d * g4];
    if steps > 1 {
        for b in 0..batch {
            // SAFETY: the left operand is hidden[b, 0..T−1]ᵀ (d × (T − 1): row j, column t at
            // (b·T + t)·d + j), the right one d_gates[b, 1..T] ((T − 1) × 4d).
            unsafe {
                product(
                    (d, g4, steps - 1),
                    d_w.as_mut_ptr(),
                    (g4, 1),
                    true,
                    scan.hidden.as_ptr().add(b * steps * d),
                    (1, d),
                    d_gates.as_ptr().add((b * steps + 1) * g4),
                    (g4, 1),
                );
            }
        }
    }
    (d_gates, d_w)
}

/// The backward step of the tracked scan (parents: the gates `[B, T, 4d]` and `W` `[d, 4d]`).
#[derive(Debug)]
struct ScanBackward;

impl Backward<Flex, 2> for ScanBackward {
    type State = (Arc<Scan>, Arc<Vec<f32>>);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (scan, w) = ops.state;
        let d_hidden = flex_io::values(grads.consume::<Flex>(&ops.node))
            .expect("the gradient of an f32 tensor is f32");
        let (d_gates, d_w) = backward(&scan, &w, &d_hidden);
        let [gates_node, w_node] = ops.parents;
        if let Some(node) = gates_node {
            let shape = [scan.batch, scan.steps, 4 * scan.width];
            grads.register::<Flex>(node.id, flex_io::tensor(d_gates, &shape));
        }
        if let Some(node) = w_node {
            grads.register::<Flex>(node.id, flex_io::tensor(d_w, &[scan.width, 4 * scan.width]));
        }
    }
}

/// The scan's hidden states `[B, T, d]` and its cell states' norms (`[B, T]` values, the trace),
/// from `gates_x` `[B, T, 4d]` and `w` `[d, 4d]`, when both live on the CPU backend (tracked or
/// not); `None` elsewhere (the caller computes the tensor form).
pub(crate) fn scan(gates_x: &Tensor<3>, w: &Tensor<2>) -> Option<(Tensor<3>, Vec<f32>)> {
    if let (Ok(gx), Ok(wt)) = (
        gates_x.clone().try_into_primitive::<Autodiff<Flex>>(),
        w.clone().try_into_primitive::<Autodiff<Flex>>(),
    ) {
        return Some(tracked(gx, wt));
    }
    let gx = flex_io::values(gates_x.clone().try_into_primitive::<Flex>().ok()?)?;
    let wv = flex_io::values(w.clone().try_into_primitive::<Flex>().ok()?)?;
    let [b, t, g4] = gates_x.dims();
    let out = forward(gx, &wv, b, t, g4 / 4);
    let norms = out.cell_norms();
    let hidden = flex_io::tensor(out.hidden, &[b, t, g4 / 4]);
    Some((Tensor::from_primitive::<Flex>(hidden), norms))
}

type AutodiffFlexTensor = <Autodiff<Flex> as burn::backend::BackendTypes>::FloatTensorPrimitive;

fn tracked(gx: AutodiffFlexTensor, wt: AutodiffFlexTensor) -> (Tensor<3>, Vec<f32>) {
    let shape = gx.primitive().shape().dims::<3>();
    let [b, t, g4] = shape;
    let values = |p: &FlexTensor| flex_io::values(p.clone()).expect("f32 tensors");
    let (gates, w) = (values(gx.primitive()), values(wt.primitive()));
    let out = Arc::new(forward(gates, &w, b, t, g4 / 4));
    // The backward pass keeps the hidden states too: the output gets its own copy.
    let hidden = flex_io::tensor(out.hidden.clone(), &[b, t, g4 / 4]);
    let norms = out.cell_norms();
    let output = match ScanBackward
        .prepare::<NoCheckpointing>([gx.node(), wt.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish((out, Arc::new(w)), hidden),
        OpsKind::UnTracked(prep) => prep.finish(hidden),
    };
    (Tensor::from_primitive::<Autodiff<Flex>>(output), norms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in [-1, 1].
    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|k| {
                let x = (k as u32)
                    .wrapping_mul(2_654_435_761)
                    .wrapping_add(seed * 97);
                (x % 2001) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    /// The loss Σ hidden · weights as a function of the gates and W, for finite differences.
    fn loss(gates: &[f32], w: &[f32], dims: (usize, usize, usize), weights: &[f32]) -> f64 {
        let (b, t, d) = dims;
        let out = forward(gates.to_vec(), w, b, t, d);
        out.hidden
            .iter()
            .zip(weights)
            .map(|(h, w)| f64::from(h * w))
            .sum()
    }

    #[test]
    fn the_one_exp_tanh_is_tanh() {
        let worst = (-20_000..=20_000)
            .map(|k| k as f32 * 1e-3)
            .map(|x| (tanh(x) - x.tanh()).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-6, "{worst}");
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(-100.0), -1.0);
    }

    #[test]
    fn the_backward_scan_matches_finite_differences() {
        let (b, t, d) = (2, 5, 3);
        let gates = values(b * t * 4 * d, 1);
        let w = values(d * 4 * d, 2);
        let weights = values(b * t * d, 3);
        let scan = forward(gates.clone(), &w, b, t, d);
        let (d_gates, d_w) = backward(&scan, &w, &weights);
        let eps = 1e-2f32;
        let numeric = |which: usize, k: usize| {
            let (mut gp, mut wp) = (gates.clone(), w.clone());
            let (mut gm, mut wm) = (gates.clone(), w.clone());
            if which == 0 {
                gp[k] += eps;
                gm[k] -= eps;
            } else {
                wp[k] += eps;
                wm[k] -= eps;
            }
            let plus = loss(&gp, &wp, (b, t, d), &weights);
            let minus = loss(&gm, &wm, (b, t, d), &weights);
            ((plus - minus) / (2.0 * f64::from(eps))) as f32
        };
        for (k, analytic) in d_gates.iter().enumerate() {
            let n = numeric(0, k);
            assert!((analytic - n).abs() < 2e-3, "gate {k}: {analytic} vs {n}");
        }
        for (k, analytic) in d_w.iter().enumerate() {
            let n = numeric(1, k);
            assert!((analytic - n).abs() < 2e-3, "W {k}: {analytic} vs {n}");
        }
    }

    #[test]
    fn the_scan_runs_fused_on_the_cpu_backend_tracked_or_not() {
        for device in [Device::flex(), Device::flex().autodiff()] {
            let gates =
                Tensor::<3>::random([2, 4, 12], burn::tensor::Distribution::Default, &device);
            let w = Tensor::<2>::random([3, 12], burn::tensor::Distribution::Default, &device);
            let w = if device.is_autodiff() {
                w.require_grad()
            } else {
                w
            };
            assert!(scan(&gates, &w).is_some(), "{device:?}: not fused");
        }
    }
}
