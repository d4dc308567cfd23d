//! `eˣ` for the CPU backend's fused operations (the LSTM's scan, attention's softmax): plain
//! arithmetic the compiler can vectorize, where libm's `expf` is a call per element.

/// `eˣ` in straight-line arithmetic, so that the loops calling it vectorize (a call to libm's
/// `expf` per element kept the LSTM's gate loop scalar and took a sixth of a wide LSTM's step): `x = n ln 2 + r` with
/// `|r| ≤ ln 2 / 2`, `eʳ` by Cephes' degree-6 polynomial and `2ⁿ` built from its exponent
/// bits. Within 2 ulp of `f32::exp` over the range that does not overflow (a test checks);
/// below −87 (where `eˣ` leaves `f32`'s normal range) it is 0, so that a blocked attention key
/// gets exactly no weight; above 88 it stays at `e⁸⁸`; NaN stays NaN (a diverged run must
/// still show it). Plain products, not
/// `mul_add`: without FMA in the target (x86-64's baseline) that is a call to libm's `fmaf`.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two so that n · LN2_HI is exact for the n that occur.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5 · 2²³: adding it rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    // In range (a NaN stays NaN and is given back by the last test).
    let c = x.clamp(-87.0, 88.0);
    // t = 1.5 · 2²³ + n: its low mantissa bits hold n, so 2ⁿ's exponent field is taken from
    // them without a float-to-int cast (Rust's saturating cast keeps the loop scalar).
    let t = c * LOG2_E + ROUND;
    let n = t - ROUND;
    let r = c - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_2e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    let er = p * r * r + r + 1.0;
    let y = er * f32::from_bits(t.to_bits().wrapping_add(127) << 23);
    if x > -87.0 {
        y
    } else if x.is_nan() {
        x
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_polynomial_exp_is_within_two_ulp() {
        let ulps = |a: f32, b: f32| (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
        let (worst, at) = (-87_000..88_000)
            .map(|k| k as f32 * 1e-3)
            .filter(|x| (-87.0..88.0).contains(x))
            .map(|x| (ulps(exp(x), x.exp()), x))
            .fold((0, 0.0), |a, b| if b.0 > a.0 { b } else { a });
        assert!(
            worst <= 2,
            "{worst} ulp at {at}: {} vs {}",
            exp(at),
            at.exp()
        );
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-1e4), 0.0, "zero below the normal range");
        assert!(exp(1e4).is_finite(), "clamped above");
        assert!(exp(f32::NAN).is_nan(), "NaN stays NaN");
    }
}
