//! LayerNorm over the last dimension as one operation of the CPU backend, with its own
//! backward pass.
//!
//! burn's LayerNorm is a composite of nine tensor operations (two means, a subtraction, a
//! square, an addition, a square root, a division, the scale and the shift), each a pass with
//! a fresh buffer and a node of the autodiff graph, and about twice as many backwards; a
//! claims-size transformer normalises five times a step, over tensors small enough that the
//! passes' overhead is most of the cost. Here a row is normalised in one pass and its
//! gradient found in one: with `x̂ = (x − μ)/σ`, `y = γ x̂ + β` and `h = ∂y · γ`,
//! `∂x = (h − mean(h) − x̂ · mean(h x̂)) / σ`, `∂γ = Σ ∂y x̂` and `∂β = Σ ∂y` over the rows.
//! Other backends (WebGPU) keep burn's LayerNorm; a test holds both to the same values and
//! gradients.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Flex};
use burn::nn::LayerNorm;
use burn::prelude::*;

use crate::models::flex_io;

/// burn's `LayerNormConfig` default, which every LayerNorm of the models uses (its field is
/// private; the test against burn's LayerNorm would fail on another).
const EPSILON: f32 = 1e-5;

/// Every row of `x` (`d` values each) normalised: `(x̂, 1/σ per row)`.
fn normalise(x: &[f32], d: usize) -> (Vec<f32>, Vec<f32>) {
    let mut xhat = vec![0.0f32; x.len()];
    let mut inv_std = Vec::with_capacity(x.len() / d);
    for (row, out) in x.chunks_exact(d).zip(xhat.chunks_exact_mut(d)) {
        let mean = row.iter().sum::<f32>() / d as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d as f32;
        let inv = 1.0 / (var + EPSILON).sqrt();
        for (o, v) in out.iter_mut().zip(row) {
            *o = (v - mean) * inv;
        }
        inv_std.push(inv);
    }
    (xhat, inv_std)
}

/// `γ x̂ + β`, row by row.
fn scale_shift(xhat: &[f32], gamma: &[f32], beta: &[f32]) -> Vec<f32> {
    let d = gamma.len();
    let mut y = vec![0.0f32; xhat.len()];
    for (row, out) in xhat.chunks_exact(d).zip(y.chunks_exact_mut(d)) {
        for j in 0..d {
            out[j] = row[j] * gamma[j] + beta[j];
        }
    }
    y
}

/// What the backward pass keeps.
#[derive(Debug, Clone)]
struct Saved {
    xhat: Vec<f32>,
    inv_std: Vec<f32>,
    gamma: Vec<f32>,
    shape: Vec<usize>,
}

/// The gradients of `x`, `γ` and `β` from the output's gradient `g`.
fn backward(saved: &Saved, g: &[f32]) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let d = saved.gamma.len();
    let mut dx = vec![0.0f32; g.len()];
    let (mut dgamma, mut dbeta) = (vec![0.0f32; d], vec![0.0f32; d]);
    let mut h = vec![0.0f32; d];
    let rows = g.chunks_exact(d).zip(saved.xhat.chunks_exact(d));
    for (((g, xhat), dx), &inv) in rows.zip(dx.chunks_exact_mut(d)).zip(&saved.inv_std) {
        let (mut mean_h, mut mean_hx) = (0.0f32, 0.0f32);
        for j in 0..d {
            h[j] = g[j] * saved.gamma[j];
            mean_h += h[j];
            mean_hx += h[j] * xhat[j];
            dgamma[j] += g[j] * xhat[j];
            dbeta[j] += g[j];
        }
        let (mean_h, mean_hx) = (mean_h / d as f32, mean_hx / d as f32);
        for j in 0..d {
            dx[j] = (h[j] - mean_h - xhat[j] * mean_hx) * inv;
        }
    }
    (dx, dgamma, dbeta)
}

#[derive(Debug)]
struct LayerNormBackward;

impl Backward<Flex, 3> for LayerNormBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let saved = ops.state;
        let grad = grads.consume::<Flex>(&ops.node);
        let [x, gamma, beta] = ops.parents;
        let (dx, dgamma, dbeta) = flex_io::with_values(&grad, |g| backward(&saved, g))
            .expect("the output's gradient is f32");
        let d = [saved.gamma.len()];
        if let Some(node) = x {
            grads.register::<Flex>(node.id, flex_io::tensor(dx, &saved.shape));
        }
        if let Some(node) = gamma {
            grads.register::<Flex>(node.id, flex_io::tensor(dgamma, &d));
        }
        if let Some(node) = beta {
            grads.register::<Flex>(node.id, flex_io::tensor(dbeta, &d));
        }
    }
}

/// `norm` applied to `x` over its last dimension: fused on the CPU backend (tracked or not),
/// burn's LayerNorm elsewhere or without a shift.
pub fn layer_norm<const D: usize>(norm: &LayerNorm, x: Tensor<D>) -> Tensor<D> {
    fused(norm, &x).unwrap_or_else(|| norm.forward(x))
}

fn fused<const D: usize>(norm: &LayerNorm, x: &Tensor<D>) -> Option<Tensor<D>> {
    let shape = x.dims().to_vec();
    let d = *shape.last()?;
    let (gamma, beta) = (norm.gamma.val(), norm.beta.as_ref()?.val());
    if gamma.dims() != [d] || d == 0 {
        return None;
    }
    if let Ok(gx) = x.clone().try_into_primitive::<Autodiff<Flex>>() {
        let gg = gamma.try_into_primitive::<Autodiff<Flex>>().ok()?;
        let gb = beta.try_into_primitive::<Autodiff<Flex>>().ok()?;
        let gamma_values = flex_io::values(gg.primitive().clone())?;
        let beta_values = flex_io::values(gb.primitive().clone())?;
        let (xhat, inv_std) = flex_io::with_values(gx.primitive(), |v| normalise(v, d))?;
        let out = flex_io::tensor(scale_shift(&xhat, &gamma_values, &beta_values), &shape);
        let output = match LayerNormBackward
            .prepare::<NoCheckpointing>([gx.node(), gg.node(), gb.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(
                Saved {
                    xhat,
                    inv_std,
                    gamma: gamma_values,
                    shape,
                },
                out,
            ),
            OpsKind::UnTracked(prep) => prep.finish(out),
        };
        return Some(Tensor::from_primitive::<Autodiff<Flex>>(output));
    }
    let p = x.clone().try_into_primitive::<Flex>().ok()?;
    let gamma_values = flex_io::values(gamma.try_into_primitive::<Flex>().ok()?)?;
    let beta_values = flex_io::values(beta.try_into_primitive::<Flex>().ok()?)?;
    let (xhat, _) = flex_io::with_values(&p, |v| normalise(v, d))?;
    let out = scale_shift(&xhat, &gamma_values, &beta_values);
    Some(Tensor::from_primitive::<Flex>(flex_io::tensor(out, &shape)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::fused_test_values::{close, read};
    use burn::module::Param;
    use burn::nn::LayerNormConfig;
    use burn::tensor::Distribution;

    #[test]
    fn the_fused_layer_norm_equals_burns_values_and_gradients() {
        let device = Device::flex().autodiff();
        let d = 24;
        let mut norm = LayerNormConfig::new(d).init(&device);
        // A scale and a shift away from their initial ones and 0, so that both matter.
        norm.gamma =
            Param::from_tensor(Tensor::random([d], Distribution::Normal(1.0, 0.5), &device));
        norm.beta = Some(Param::from_tensor(Tensor::random(
            [d],
            Distribution::Normal(0.0, 0.5),
            &device,
        )));
        let shape = [3, 5, d];
        let raw = Tensor::<3>::random(shape, Distribution::Normal(0.5, 2.0), &device);
        let weights = Tensor::<3>::random(shape, Distribution::Default, &device);
        let run = |fused: bool| {
            let x = raw.clone().detach().require_grad();
            let y = if fused {
                layer_norm(&norm, x.clone())
            } else {
                norm.forward(x.clone())
            };
            let grads = y.clone().mul(weights.clone()).sum().backward();
            let gx = read(x.grad(&grads).expect("x's gradient"));
            let gg = read(norm.gamma.val().grad(&grads).expect("γ's gradient"));
            let gb = read(
                norm.beta
                    .as_ref()
                    .unwrap()
                    .val()
                    .grad(&grads)
                    .expect("β's gradient"),
            );
            (read(y), gx, gg, gb)
        };
        let (y, gx, gg, gb) = run(true);
        let (y_ref, gx_ref, gg_ref, gb_ref) = run(false);
        close(&y, &y_ref, 2e-6, "value");
        close(&gx, &gx_ref, 2e-5, "x's gradient");
        close(&gg, &gg_ref, 2e-5, "γ's gradient");
        close(&gb, &gb_ref, 2e-5, "β's gradient");
        // Untracked (inference) gives the same values.
        let plain = Tensor::<3>::from_data(raw.to_data(), &Device::flex());
        let flex = Device::flex();
        let mut plain_norm = LayerNormConfig::new(d).init(&flex);
        plain_norm.gamma = Param::from_tensor(Tensor::from_data(norm.gamma.val().to_data(), &flex));
        plain_norm.beta = Some(Param::from_tensor(Tensor::from_data(
            norm.beta.as_ref().unwrap().val().to_data(),
            &flex,
        )));
        assert_eq!(read(layer_norm(&plain_norm, plain)), y);
    }
}
