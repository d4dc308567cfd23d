//! Helpers shared by the attention constructions: ±1 binary codes written as ± pairs (so a
//! residual vector stays zero-mean and LayerNorm only rescales it), and LayerNorm's factor.

/// burn's LayerNorm epsilon.
pub const LN_EPSILON: f32 = 1e-5;

/// Bits that tell `n` values apart: `⌈log₂ n⌉`, at least one.
pub fn code_bits(n: usize) -> usize {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize
}

/// `±1` code of `value` over `bits` bits (bit b of value → +1), as ± pairs `(c, −c)`.
pub fn pairs(value: usize, bits: usize) -> Vec<f32> {
    (0..bits)
        .flat_map(|b| {
            let c = if value >> b & 1 == 1 { 1.0 } else { -1.0 };
            [c, -c]
        })
        .collect()
}

/// burn's LayerNorm factor `1/√(‖x‖²/d + ε)` for a zero-mean vector with `‖x‖² = norm2`
/// (unit gain, zero bias).
pub fn ln_factor(width: usize, norm2: f32) -> f32 {
    1.0 / (norm2 / width as f32 + LN_EPSILON).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_tell_every_value_apart_in_log_bits() {
        for n in 1..=256usize {
            let bits = code_bits(n);
            assert!(1 << bits >= n, "{n} values need more than {bits} bits");
            assert!(
                bits == 1 || 1 << (bits - 1) < n,
                "{bits} bits is more than {n} needs"
            );
            let codes: std::collections::BTreeSet<Vec<i8>> = (0..n)
                .map(|i| pairs(i, bits).iter().map(|&c| c as i8).collect())
                .collect();
            assert_eq!(codes.len(), n);
        }
        assert_eq!(pairs(2, 2), vec![-1.0, 1.0, 1.0, -1.0]);
    }

    #[test]
    fn the_factor_is_burns_layer_norm() {
        use burn::nn::LayerNormConfig;
        use burn::prelude::*;
        let x = [3.0f32, -3.0, 1.0, -1.0];
        let device = Device::flex();
        let norm = LayerNormConfig::new(4).init(&device);
        let y: Vec<f32> = norm
            .forward(Tensor::<1>::from_floats(x, &device).reshape([1, 1, 4]))
            .into_data()
            .iter::<f32>()
            .collect();
        let f = ln_factor(4, 20.0);
        for (a, b) in x.iter().zip(&y) {
            assert!((a * f - b).abs() < 1e-6, "{y:?}");
        }
    }
}
