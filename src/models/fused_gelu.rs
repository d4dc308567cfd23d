//! GELU, `x · Φ(x)`, as one vectorized operation of the CPU backend with its own backward pass.
//!
//! The backend's own GELU is one pass, but it calls libm's `erff` per element (and `expf` per
//! element backwards), so its loops stay scalar: on a claims-size 2-layer transformer the
//! feed-forward part's GELU, forward and backward, took about a third of a training step. Here
//! erf comes from erfc's Chebyshev fit (Numerical Recipes' `erfcc`: relative error below
//! 1.2·10⁻⁷) with [`crate::models::fast_exp`], all straight-line arithmetic that the compiler
//! vectorizes, and GELU is `½ x (1 + erf(x/√2))` in burn's order of operations, so that it
//! rounds to the same exact zeros.
//! The backward pass is `∂x = ∂y · (Φ(x) + x φ(x))`. Other backends (WebGPU) keep burn's
//! GELU; a test holds both to the same values and gradients.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::prelude::*;
use burn::tensor::activation;

use crate::models::fast_exp::exp;
use crate::models::flex_io;
use crate::models::widest_vectors::widest_vectors;

/// `1/√(2π)`.
const INV_SQRT_2PI: f32 = 0.398_942_3;

/// `erf(x/√2)` as `±(1 − erfc(|x|/√2))`, rounded in f32 the way burn's (and PyTorch's) GELU
/// rounds libm's `erf`: so `1 + erf` is exactly 0 far in the negative tail (below about −5.5),
/// where a model built by hand may rely on an exact 0.
#[inline(always)]
fn erf_scaled(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let p = 0.170_872_77_f32;
    let p = p * t - 0.822_152_23;
    let p = p * t + 1.488_515_9;
    let p = p * t - 1.135_204;
    let p = p * t + 0.278_868_07;
    let p = p * t - 0.186_288_06;
    let p = p * t + 0.096_784_18;
    let p = p * t + 0.374_091_96;
    let p = p * t + 1.000_023_7;
    let p = p * t - 1.265_512_2;
    let erf = 1.0 - t * exp(p - z * z);
    if x >= 0.0 { erf } else { -erf }
}

/// The standard normal distribution function Φ(x) = ½ (1 + erf(x/√2)).
#[inline(always)]
fn normal_cdf(x: f32) -> f32 {
    0.5 * (1.0 + erf_scaled(x))
}

#[inline(always)]
fn forward_body(x: &[f32], y: &mut [f32]) {
    let y = &mut y[..x.len()];
    for (y, &x) in y.iter_mut().zip(x) {
        // burn's order of operations: ½ x (1 + erf(x/√2)).
        *y = 0.5 * x * (1.0 + erf_scaled(x));
    }
}

#[inline(always)]
fn backward_body(x: &[f32], g: &[f32], dx: &mut [f32]) {
    let (g, dx) = (&g[..x.len()], &mut dx[..x.len()]);
    for ((dx, &g), &x) in dx.iter_mut().zip(g).zip(x) {
        let pdf = INV_SQRT_2PI * exp(-0.5 * x * x);
        *dx = g * (normal_cdf(x) + x * pdf);
    }
}

widest_vectors!(fn forward_slice(x: &[f32], y: &mut [f32]) => forward_body);

widest_vectors!(fn backward_slice(x: &[f32], g: &[f32], dx: &mut [f32]) => backward_body);

// (Writing into a zeroed vector: appending to an empty one with `extend` left the loops
// scalar, 10 % slower on the whole step.)
fn forward(x: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0f32; x.len()];
    forward_slice(x, &mut y);
    y
}

fn backward(x: &[f32], g: &[f32]) -> Vec<f32> {
    let mut dx = vec![0.0f32; x.len()];
    backward_slice(x, g, &mut dx);
    dx
}

#[derive(Debug)]
struct GeluBackward;

impl Backward<Flex, 1> for GeluBackward {
    /// The input and its shape.
    type State = (FlexTensor, Vec<usize>);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (input, shape) = ops.state;
        let grad = grads.consume::<Flex>(&ops.node);
        let [parent] = ops.parents;
        if let Some(node) = parent {
            let dx =
                flex_io::with_values(&input, |x| flex_io::with_values(&grad, |g| backward(x, g)))
                    .flatten()
                    .expect("the input and its gradient are f32");
            grads.register::<Flex>(node.id, flex_io::tensor(dx, &shape));
        }
    }
}

/// GELU of `x`: fused on the CPU backend (tracked or not), burn's elsewhere.
pub fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    fused(&x).unwrap_or_else(|| activation::gelu(x))
}

fn fused<const D: usize>(x: &Tensor<D>) -> Option<Tensor<D>> {
    let shape = x.dims().to_vec();
    if let Ok(gx) = x.clone().try_into_primitive::<Autodiff<Flex>>() {
        let out = flex_io::tensor(flex_io::with_values(gx.primitive(), forward)?, &shape);
        let output = match GeluBackward
            .prepare::<NoCheckpointing>([gx.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((gx.primitive().clone(), shape), out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        };
        return Some(Tensor::from_primitive::<Autodiff<Flex>>(output));
    }
    let p = x.clone().try_into_primitive::<Flex>().ok()?;
    let out = flex_io::with_values(&p, forward)?;
    Some(Tensor::from_primitive::<Flex>(flex_io::tensor(out, &shape)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    /// Φ against libm's `erfc` in double precision over x ∈ [−12, 12]: within 3·10⁻⁷
    /// absolutely, and exactly 0 where burn's `1 + erf` is (f32's rounding of erf to −1).
    #[test]
    fn the_normal_cdf_is_accurate_and_rounds_like_burns() {
        let mut worst = 0.0f64;
        for k in -12_000..12_000 {
            let x = k as f32 * 1e-3;
            let exact = 0.5 * libm::erfc(-f64::from(x) / std::f64::consts::SQRT_2);
            worst = worst.max((f64::from(normal_cdf(x)) - exact).abs());
            let burns = 0.5 * (1.0 + libm::erff(x / std::f32::consts::SQRT_2));
            if burns == 0.0 {
                assert_eq!(normal_cdf(x), 0.0, "at {x}");
            }
        }
        assert!(worst < 3e-7, "absolute error {worst}");
        assert_eq!(normal_cdf(0.0), 0.5);
        assert_eq!(normal_cdf(f32::INFINITY), 1.0);
        assert_eq!(normal_cdf(f32::NEG_INFINITY), 0.0);
        assert!(normal_cdf(f32::NAN).is_nan());
    }

    #[test]
    fn the_fused_gelu_equals_burns_values_and_gradients() {
        let device = Device::flex().autodiff();
        let shape = [3, 7, 40];
        let raw = Tensor::<3>::random(shape, Distribution::Normal(0.0, 3.0), &device);
        // A loss that weighs every output differently, so every gradient entry is exercised.
        let weights = Tensor::<3>::random(shape, Distribution::Default, &device);
        let run = |fused: bool| {
            let x = raw.clone().detach().require_grad();
            let y = if fused {
                gelu(x.clone())
            } else {
                activation::gelu(x.clone())
            };
            let grads = y.clone().mul(weights.clone()).sum().backward();
            let g = x.grad(&grads).expect("a gradient");
            (read(y), g.into_data().try_to_vec::<f32>().unwrap())
        };
        let ((y, g), (y_ref, g_ref)) = (run(true), run(false));
        for (i, (a, b)) in y.iter().zip(&y_ref).enumerate() {
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "value {i}: {a} vs {b}"
            );
        }
        for (i, (a, b)) in g.iter().zip(&g_ref).enumerate() {
            assert!((a - b).abs() <= 2e-6, "gradient {i}: {a} vs {b}");
        }
        // Untracked (inference) gives the same values.
        let plain = Tensor::<3>::from_data(raw.to_data(), &Device::flex());
        assert_eq!(read(gelu(plain)), y);
    }

    #[test]
    fn the_widest_vectors_give_the_baselines_bits() {
        let x: Vec<f32> = (0..203)
            .map(|j| ((j * 37) % 61) as f32 * 0.25 - 7.5)
            .collect();
        let g: Vec<f32> = (0..203).map(|j| (j % 7) as f32 - 3.0).collect();
        let (mut wide, mut base) = (vec![0.0; 203], vec![0.0; 203]);
        forward_slice(&x, &mut wide);
        forward_body(&x, &mut base);
        assert_eq!(wide, base);
        backward_slice(&x, &g, &mut wide);
        backward_body(&x, &g, &mut base);
        assert_eq!(wide, base);
    }
}
