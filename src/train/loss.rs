//! Masked next-token cross-entropy: loss on CoT and answer tokens only.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;

/// Mean negative log-likelihood of `targets` over positions where `mask` is 1.
/// `logits: [B, T, V]`, `targets: [B, T]`, `mask: [B, T]` → scalar `[1]`.
pub fn masked_cross_entropy(
    logits: Tensor<3>,
    targets: Tensor<2, Int>,
    mask: Tensor<2>,
) -> Tensor<1> {
    let [b, t, _] = logits.dims();
    let log_probs = log_softmax(logits, 2);
    let picked = log_probs
        .gather(2, targets.reshape([b, t, 1]))
        .reshape([b, t]);
    let total = mask.clone().sum();
    (picked * mask).sum().neg() / total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_masked_positions() {
        let device = Device::flex();
        // Two positions, vocabulary of 2; the first is masked out and badly predicted.
        let logits = Tensor::<1>::from_floats([10.0, -10.0, 0.0, 0.0], &device).reshape([1, 2, 2]);
        let targets = Tensor::<1, Int>::from_ints([1, 0], &device).reshape([1, 2]);
        let mask = Tensor::<1>::from_floats([0.0, 1.0], &device).reshape([1, 2]);
        let loss: f32 = masked_cross_entropy(logits, targets, mask).into_scalar();
        assert!((loss - std::f32::consts::LN_2).abs() < 1e-5, "{loss}");
    }
}
