//! Attention's masked, scaled softmax as one operation of the CPU backend, with its own
//! backward pass, instead of seven tracked tensor operations.
//!
//! `softmax(mask_fill(scores, blocked, −10⁹) · scale)` over the keys was a fill, a scale, a
//! maximum, a subtraction, an `exp` (libm, a call per element), a sum and a division, each a
//! pass over `[B, H, Q, K]` with a fresh buffer, and as many nodes in the autodiff graph; on a
//! claims-size transformer the scores are the largest tensors of the step. Here a row is one
//! pass to scale and mask, one to exponentiate (vectorized, [`crate::models::fast_exp`]) and one
//! to normalise, and the backward pass one pass per row:
//! `∂s_j = scale · p_j (∂p_j − Σ_k ∂p_k p_k)`, zero where the key is blocked (the fill's
//! gradient). Other backends (WebGPU) keep the tensor form; the tests hold both forms to the
//! same weights and gradients.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::prelude::*;
use std::sync::Arc;

use crate::models::fast_exp::exp;
use crate::models::flex_io;
use crate::models::widest_vectors::widest_vectors;

/// A score that no allowed key can lose to: what a blocked key's score becomes before scaling
/// (here and in the tensor form of [`super::mode`]).
pub(super) const BLOCKED_SCORE: f32 = -1.0e9;

/// One row: `dst = softmax((blocked ? −10⁹ : src) · scale)`.
#[inline(always)]
fn row_forward_body(src: &[f32], blocked: &[bool], scale: f32, dst: &mut [f32]) {
    let k = src.len();
    let (blocked, dst) = (&blocked[..k], &mut dst[..k]);
    for j in 0..k {
        dst[j] = if blocked[j] { BLOCKED_SCORE } else { src[j] } * scale;
    }
    let max = dst.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for v in dst.iter_mut() {
        *v = exp(*v - max);
    }
    let inv = 1.0 / dst.iter().sum::<f32>();
    for v in dst.iter_mut() {
        *v *= inv;
    }
}

/// One row backwards: `dst_j = scale · p_j (g_j − Σ_k g_k p_k)`, zero where blocked.
#[inline(always)]
fn row_backward_body(p: &[f32], g: &[f32], blocked: &[bool], scale: f32, dst: &mut [f32]) {
    let k = p.len();
    let (g, blocked, dst) = (&g[..k], &blocked[..k], &mut dst[..k]);
    let dot: f32 = p.iter().zip(g).map(|(p, g)| p * g).sum();
    for j in 0..k {
        let d = scale * p[j] * (g[j] - dot);
        dst[j] = if blocked[j] { 0.0 } else { d };
    }
}

widest_vectors!(
    fn row_forward(src: &[f32], blocked: &[bool], scale: f32, dst: &mut [f32]) => row_forward_body
);

widest_vectors!(
    fn row_backward(p: &[f32], g: &[f32], blocked: &[bool], scale: f32, dst: &mut [f32]) =>
        row_backward_body
);

/// Every row of `scores` (`[…, Q, K]` flattened), the mask `[Q, K]` repeated over the leading
/// dimensions.
fn forward(scores: &[f32], blocked: &[bool], k: usize, scale: f32) -> Vec<f32> {
    let mut out = vec![0.0f32; scores.len()];
    let mask_rows = blocked.len() / k;
    for (r, (src, dst)) in scores
        .chunks_exact(k)
        .zip(out.chunks_exact_mut(k))
        .enumerate()
    {
        let m = r % mask_rows;
        row_forward(src, &blocked[m * k..(m + 1) * k], scale, dst);
    }
    out
}

fn backward(probs: &[f32], grad: &[f32], blocked: &[bool], k: usize, scale: f32) -> Vec<f32> {
    let mut out = vec![0.0f32; probs.len()];
    let mask_rows = blocked.len() / k;
    let rows = probs.chunks_exact(k).zip(grad.chunks_exact(k));
    for (r, ((p, g), dst)) in rows.zip(out.chunks_exact_mut(k)).enumerate() {
        let m = r % mask_rows;
        row_backward(p, g, &blocked[m * k..(m + 1) * k], scale, dst);
    }
    out
}

/// The state the backward pass keeps: the weights (the output's buffer, shared: the backend
/// copies a shared buffer before writing to it), the mask and the scale.
#[derive(Debug, Clone)]
struct Saved {
    probs: FlexTensor,
    blocked: Arc<Vec<bool>>,
    shape: [usize; 4],
    scale: f32,
}

#[derive(Debug)]
struct SoftmaxBackward;

impl Backward<Flex, 1> for SoftmaxBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let saved = ops.state;
        let grad = grads.consume::<Flex>(&ops.node);
        let [parent] = ops.parents;
        if let Some(node) = parent {
            let k = saved.shape[3];
            let d = flex_io::with_values(&saved.probs, |p| {
                flex_io::with_values(&grad, |g| backward(p, g, &saved.blocked, k, saved.scale))
            })
            .flatten()
            .expect("the weights and their gradient are f32");
            grads.register::<Flex>(node.id, flex_io::tensor(d, &saved.shape));
        }
    }
}

/// `softmax(mask_fill(scores, blocked, −10⁹) · scale, keys)` for `scores` `[B, H, Q, K]` and
/// `blocked` `[1, 1, Q, K]`, when the scores live on the CPU backend (tracked or not); `None`
/// elsewhere or for another mask shape (the caller computes the tensor form).
pub(crate) fn masked_softmax(
    scores: &Tensor<4>,
    blocked: &Tensor<4, Bool>,
    scale: f32,
) -> Option<Tensor<4>> {
    let shape = scores.dims();
    let [_, _, q, k] = shape;
    if blocked.dims() != [1, 1, q, k] || k == 0 {
        return None;
    }
    let tracked = scores.clone().try_into_primitive::<Autodiff<Flex>>().ok();
    let plain = match tracked {
        Some(_) => None,
        None => Some(scores.clone().try_into_primitive::<Flex>().ok()?),
    };
    // The mask is read only once the scores are known to be on the CPU backend.
    let mask: Vec<bool> = blocked.clone().into_data().try_to_vec::<bool>().ok()?;
    if let Some(p) = plain {
        let probs = flex_io::with_values(&p, |s| forward(s, &mask, k, scale))?;
        return Some(Tensor::from_primitive::<Flex>(flex_io::tensor(
            probs, &shape,
        )));
    }
    let gx = tracked?;
    let probs = flex_io::with_values(gx.primitive(), |s| forward(s, &mask, k, scale))?;
    let out = flex_io::tensor(probs, &shape);
    let output = match SoftmaxBackward
        .prepare::<NoCheckpointing>([gx.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(
            Saved {
                probs: out.clone(),
                blocked: Arc::new(mask),
                shape,
                scale,
            },
            out,
        ),
        OpsKind::UnTracked(prep) => prep.finish(out),
    };
    Some(Tensor::from_primitive::<Autodiff<Flex>>(output))
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::activation::softmax;
    use burn::tensor::{Distribution, TensorData};

    /// The tensor form the fused operation replaces.
    fn reference(scores: Tensor<4>, blocked: Tensor<4, Bool>, scale: f32) -> Tensor<4> {
        let dims = scores.dims();
        softmax(
            scores
                .mask_fill(blocked.expand(dims), f64::from(BLOCKED_SCORE))
                .mul_scalar(scale),
            3,
        )
    }

    fn read(t: Tensor<4>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    fn causal(t: usize, device: &Device) -> Tensor<4, Bool> {
        Tensor::<2, Bool>::tril_mask([t, t], 0, device).unsqueeze::<4>()
    }

    fn close(a: &[f32], b: &[f32], tolerance: f32, what: &str) {
        assert_eq!(a.len(), b.len(), "{what}");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tolerance, "{what} {i}: {x} vs {y}");
        }
    }

    #[test]
    fn the_fused_softmax_equals_the_tensor_form_weights_and_gradients() {
        let device = Device::flex().autodiff();
        let shape = [2, 3, 5, 5];
        let raw = Tensor::<4>::random(shape, Distribution::Normal(0.0, 3.0), &device);
        let blocked = causal(5, &device);
        // A loss that weighs every weight differently, so every gradient entry is exercised.
        let weights = Tensor::<4>::random(shape, Distribution::Default, &device);
        let run = |fused: bool| {
            let x = raw.clone().detach().require_grad();
            let p = if fused {
                masked_softmax(&x, &blocked, 0.7).expect("fused on the CPU backend")
            } else {
                reference(x.clone(), blocked.clone(), 0.7)
            };
            let loss = p.clone().mul(weights.clone()).sum();
            let grads = loss.backward();
            let g = x.grad(&grads).expect("a gradient");
            (read(p), g.into_data().try_to_vec::<f32>().unwrap())
        };
        let (p_fused, g_fused) = run(true);
        let (p_ref, g_ref) = run(false);
        close(&p_fused, &p_ref, 1e-6, "weight");
        close(&g_fused, &g_ref, 1e-6, "gradient");
        // Rows sum to one, and a blocked key gets no weight and no gradient.
        for (r, row) in p_fused.chunks(5).enumerate() {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
            let q = r % 5;
            assert!(row[q + 1..].iter().all(|&w| w == 0.0), "row {r}: {row:?}");
        }
        for (r, row) in g_fused.chunks(5).enumerate() {
            assert!(
                row[r % 5 + 1..].iter().all(|&g| g == 0.0),
                "row {r}: {row:?}"
            );
        }
    }

    #[test]
    fn the_widest_vectors_give_the_baselines_bits() {
        let k = 67;
        let src: Vec<f32> = (0..k).map(|j| ((j * 37) % 23) as f32 * 0.7 - 8.0).collect();
        let blocked: Vec<bool> = (0..k).map(|j| j % 5 == 3).collect();
        let (mut wide, mut base) = (vec![0.0; k], vec![0.0; k]);
        row_forward(&src, &blocked, 0.3, &mut wide);
        row_forward_body(&src, &blocked, 0.3, &mut base);
        assert_eq!(wide, base);
        let g: Vec<f32> = (0..k).map(|j| (j % 7) as f32 - 3.0).collect();
        let (mut wide_d, mut base_d) = (vec![0.0; k], vec![0.0; k]);
        row_backward(&wide, &g, &blocked, 0.3, &mut wide_d);
        row_backward_body(&base, &g, &blocked, 0.3, &mut base_d);
        assert_eq!(wide_d, base_d);
    }

    #[test]
    fn untracked_scores_and_other_masks() {
        let device = Device::flex();
        let x = Tensor::<4>::random([1, 2, 3, 4], Distribution::Normal(0.0, 2.0), &device);
        let table = vec![
            false, true, false, true, //
            false, false, false, false, //
            true, true, true, false,
        ];
        let blocked = Tensor::<1, Bool>::from_data(TensorData::new(table, [12]), &device)
            .reshape([1, 1, 3, 4]);
        let fused = masked_softmax(&x, &blocked, 1.3).expect("fused");
        close(
            &read(fused),
            &read(reference(x.clone(), blocked, 1.3)),
            1e-6,
            "weight",
        );
        // A mask that is not [1, 1, Q, K] is left to the tensor form.
        let per_batch = Tensor::<4, Bool>::empty([1, 2, 3, 4], &device);
        assert!(masked_softmax(&x, &per_batch, 1.0).is_none());
    }
}
