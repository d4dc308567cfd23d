//! Scores → weights under the three attention modes: softmax (with a scale), saturated
//! (uniform over the maximal scores) and hard (leftmost maximal score).

use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::fused_softmax::{BLOCKED_SCORE, masked_softmax};
use crate::models::AttentionMode;

/// Scores closer than this to the row maximum count as maximal (saturated and hard modes).
pub const TIE_TOLERANCE: f64 = 1e-5;

/// `scores: [B, H, Q, K]` (already divided by √d_h), `blocked`: broadcastable to it, `true`
/// where a key may not be read. Returns weights `[B, H, Q, K]` whose rows sum to one.
pub fn weights(
    scores: Tensor<4>,
    blocked: Option<Tensor<4, Bool>>,
    mode: AttentionMode,
    scale: f32,
) -> Tensor<4> {
    // On the CPU backend softmax's usual causal or sparse mask runs as one fused operation.
    if let (AttentionMode::Softmax, Some(mask)) = (mode, &blocked)
        && let Some(w) = masked_softmax(&scores, mask, scale)
    {
        return w;
    }
    let dims = scores.dims();
    let scores = match blocked {
        Some(mask) => scores.mask_fill(mask.expand(dims), f64::from(BLOCKED_SCORE)),
        None => scores,
    };
    match mode {
        AttentionMode::Softmax => softmax(scores.mul_scalar(scale), 3),
        AttentionMode::Saturated => {
            let maximal = is_maximal(scores).float();
            maximal.clone().div(maximal.sum_dim(3))
        }
        AttentionMode::Hard => {
            let maximal = is_maximal(scores);
            let k = dims[3];
            let index = Tensor::<1, Int>::arange(0..k as i64, &maximal.device())
                .float()
                .reshape([1, 1, 1, k])
                .expand(dims);
            let candidates = index.clone().mask_fill(maximal.bool_not(), k as f64);
            let first = candidates.min_dim(3);
            index.equal(first.expand(dims)).float()
        }
    }
}

fn is_maximal(scores: Tensor<4>) -> Tensor<4, Bool> {
    let dims = scores.dims();
    let max = scores.clone().max_dim(3).sub_scalar(TIE_TOLERANCE);
    scores.greater_equal(max.expand(dims))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[f32], k: usize) -> Tensor<4> {
        let q = values.len() / k;
        Tensor::<1>::from_floats(values, &Device::flex()).reshape([1, 1, q, k])
    }

    fn read(t: Tensor<4>) -> Vec<f32> {
        t.into_data().iter::<f32>().collect()
    }

    #[test]
    fn saturated_spreads_over_ties_and_hard_takes_the_leftmost() {
        let s = rows(&[1.0, 3.0, 3.0, 2.0], 4);
        let sat = read(weights(s.clone(), None, AttentionMode::Saturated, 1.0));
        assert_eq!(sat, vec![0.0, 0.5, 0.5, 0.0]);
        let hard = read(weights(s, None, AttentionMode::Hard, 1.0));
        assert_eq!(hard, vec![0.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn blocked_keys_get_no_weight_in_any_mode() {
        let s = rows(&[5.0, 1.0, 0.0], 3);
        let mask = Tensor::<1, Bool>::from_data(
            TensorData::new(vec![true, false, false], [3]),
            &Device::flex(),
        )
        .reshape([1, 1, 1, 3]);
        for mode in AttentionMode::ALL {
            let w = read(weights(s.clone(), Some(mask.clone()), mode, 1.0));
            assert_eq!(w[0], 0.0, "{mode:?}");
            assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
    }
}
