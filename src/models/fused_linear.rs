//! A linear layer, `x W + b`, as one operation of the CPU backend with its own backward pass.
//!
//! burn's linear layer is a matrix product, whose output buffer burn-flex zeroes before `gemm`
//! overwrites it, and a broadcast addition of the bias, each a tracked operation with its own
//! pass and buffer, and as many backwards (the bias's gradient a reduction of its own). Here
//! the output starts as the bias repeated and `gemm` adds the product into it: one buffer,
//! written once before the product. Backwards: `∂x = ∂y Wᵀ` and `∂W = xᵀ ∂y` by `gemm` on the
//! saved operands, `∂b` the column sums of `∂y`. Other backends (WebGPU) keep burn's layer; a
//! test holds both to the same values and gradients.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::nn::Linear;
use burn::prelude::*;

use crate::models::flex_io;
use crate::models::gemm_product::product;

/// `y[m × n] = x[m × k] · w[k × n] (+ bias)`, row-major.
fn forward(
    x: &[f32],
    w: &[f32],
    bias: Option<&[f32]>,
    (m, k, n): (usize, usize, usize),
) -> Vec<f32> {
    assert_eq!(
        (x.len(), w.len()),
        (m * k, k * n),
        "operands of {m} × {k} · {k} × {n}"
    );
    let mut y = match bias {
        Some(b) => {
            assert_eq!(b.len(), n, "a bias of {n}");
            let mut y = Vec::with_capacity(m * n);
            for _ in 0..m {
                y.extend_from_slice(b);
            }
            y
        }
        None => vec![0.0f32; m * n],
    };
    // SAFETY: y is m × n, x m × k and w k × n, all row-major and of those lengths (checked).
    unsafe {
        product(
            (m, n, k),
            y.as_mut_ptr(),
            (n, 1),
            bias.is_some(),
            x.as_ptr(),
            (k, 1),
            w.as_ptr(),
            (n, 1),
        );
    }
    y
}

/// `(∂x, ∂W, ∂b)` from `∂y` `[m × n]`, the input `x` `[m × k]` and the weight `w` `[k × n]`.
fn backward(
    x: &[f32],
    w: &[f32],
    g: &[f32],
    (m, k, n): (usize, usize, usize),
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    assert_eq!((x.len(), w.len(), g.len()), (m * k, k * n, m * n));
    let mut dx = vec![0.0f32; m * k];
    let mut dw = vec![0.0f32; k * n];
    // SAFETY: dx is m × k, g m × n, wᵀ is n × k read from w (k × n) by swapped strides; dw is
    // k × n, xᵀ k × m read from x (m × k) by swapped strides: every index inside its buffer.
    unsafe {
        product(
            (m, k, n),
            dx.as_mut_ptr(),
            (k, 1),
            false,
            g.as_ptr(),
            (n, 1),
            w.as_ptr(),
            (1, n),
        );
        product(
            (k, n, m),
            dw.as_mut_ptr(),
            (n, 1),
            false,
            x.as_ptr(),
            (1, k),
            g.as_ptr(),
            (n, 1),
        );
    }
    let mut db = vec![0.0f32; n];
    for row in g.chunks_exact(n) {
        for (s, v) in db.iter_mut().zip(row) {
            *s += v;
        }
    }
    (dx, dw, db)
}

/// What the backward pass keeps: the input and the weight (buffers shared with their
/// tensors), the output's shape and the product's sizes.
#[derive(Debug, Clone)]
struct Saved {
    x: FlexTensor,
    w: FlexTensor,
    shape: Vec<usize>,
    mkn: (usize, usize, usize),
}

#[derive(Debug)]
struct LinearBackward;

impl Backward<Flex, 3> for LinearBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let s = ops.state;
        let grad = grads.consume::<Flex>(&ops.node);
        let [x, w, b] = ops.parents;
        let (m, k, n) = s.mkn;
        let (dx, dw, db) = flex_io::with_values(&s.x, |xv| {
            flex_io::with_values(&s.w, |wv| {
                flex_io::with_values(&grad, |g| backward(xv, wv, g, s.mkn))
            })
        })
        .flatten()
        .flatten()
        .expect("the operands and the gradient are f32");
        if let Some(node) = x {
            let mut shape = s.shape.clone();
            *shape.last_mut().expect("a shape of rank ≥ 1") = k;
            debug_assert_eq!(shape.iter().product::<usize>(), m * k);
            grads.register::<Flex>(node.id, flex_io::tensor(dx, &shape));
        }
        if let Some(node) = w {
            grads.register::<Flex>(node.id, flex_io::tensor(dw, &[k, n]));
        }
        if let Some(node) = b {
            grads.register::<Flex>(node.id, flex_io::tensor(db, &[n]));
        }
    }
}

/// `layer` applied to `x` (`[…, k]` → `[…, n]`): fused on the CPU backend (tracked or not),
/// burn's layer elsewhere or without a bias.
pub fn linear<const D: usize>(layer: &Linear, x: Tensor<D>) -> Tensor<D> {
    fused(layer, &x).unwrap_or_else(|| layer.forward(x))
}

fn fused<const D: usize>(layer: &Linear, x: &Tensor<D>) -> Option<Tensor<D>> {
    let (w, b) = (layer.weight.val(), layer.bias.as_ref()?.val());
    let [k, n] = w.dims();
    let mut shape = x.dims().to_vec();
    if shape.last() != Some(&k) || k == 0 || n == 0 {
        return None;
    }
    let m = shape.iter().product::<usize>() / k;
    *shape.last_mut()? = n;
    let mkn = (m, k, n);
    if let Ok(gx) = x.clone().try_into_primitive::<Autodiff<Flex>>() {
        let gw = w.try_into_primitive::<Autodiff<Flex>>().ok()?;
        let gb = b.try_into_primitive::<Autodiff<Flex>>().ok()?;
        let y = flex_io::with_values(gx.primitive(), |xv| {
            flex_io::with_values(gw.primitive(), |wv| {
                flex_io::with_values(gb.primitive(), |bv| forward(xv, wv, Some(bv), mkn))
            })
        })
        .flatten()
        .flatten()?;
        let out = flex_io::tensor(y, &shape);
        let output = match LinearBackward
            .prepare::<NoCheckpointing>([gx.node(), gw.node(), gb.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(
                Saved {
                    x: gx.primitive().clone(),
                    w: gw.primitive().clone(),
                    shape,
                    mkn,
                },
                out,
            ),
            OpsKind::UnTracked(prep) => prep.finish(out),
        };
        return Some(Tensor::from_primitive::<Autodiff<Flex>>(output));
    }
    let px = x.clone().try_into_primitive::<Flex>().ok()?;
    let pw = w.try_into_primitive::<Flex>().ok()?;
    let pb = b.try_into_primitive::<Flex>().ok()?;
    let y = flex_io::with_values(&px, |xv| {
        flex_io::with_values(&pw, |wv| {
            flex_io::with_values(&pb, |bv| forward(xv, wv, Some(bv), mkn))
        })
    })
    .flatten()
    .flatten()?;
    Some(Tensor::from_primitive::<Flex>(flex_io::tensor(y, &shape)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::fused_test_values::{close, read};
    use burn::nn::LinearConfig;
    use burn::tensor::Distribution;

    #[test]
    fn the_fused_linear_layer_equals_burns_values_and_gradients() {
        let device = Device::flex().autodiff();
        let layer = LinearConfig::new(12, 20).init(&device);
        let shape = [3, 7, 12];
        let raw = Tensor::<3>::random(shape, Distribution::Normal(0.0, 2.0), &device);
        let weights = Tensor::<3>::random([3, 7, 20], Distribution::Default, &device);
        let run = |fused: bool| {
            let x = raw.clone().detach().require_grad();
            let y = if fused {
                linear(&layer, x.clone())
            } else {
                layer.forward(x.clone())
            };
            let grads = y.clone().mul(weights.clone()).sum().backward();
            let gx = read(x.grad(&grads).expect("x's gradient"));
            let gw = read(layer.weight.val().grad(&grads).expect("W's gradient"));
            let gb = read(
                layer
                    .bias
                    .as_ref()
                    .unwrap()
                    .val()
                    .grad(&grads)
                    .expect("b's gradient"),
            );
            (read(y), gx, gw, gb)
        };
        let (y, gx, gw, gb) = run(true);
        let (y_ref, gx_ref, gw_ref, gb_ref) = run(false);
        close(&y, &y_ref, 1e-6, "value");
        close(&gx, &gx_ref, 1e-6, "x's gradient");
        close(&gw, &gw_ref, 1e-6, "W's gradient");
        close(&gb, &gb_ref, 1e-6, "b's gradient");
        // A 2-d input, untracked (inference): the same values.
        let flex = Device::flex();
        let plain_layer = LinearConfig::new(12, 20).init(&flex);
        let x2 = Tensor::<2>::random([5, 12], Distribution::Normal(0.0, 1.0), &flex);
        close(
            &read(linear(&plain_layer, x2.clone())),
            &read(plain_layer.forward(x2)),
            1e-6,
            "untracked value",
        );
    }
}
