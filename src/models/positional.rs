//! Sinusoidal position encoding (Vaswani et al.), computed on the host once per length.

use burn::prelude::*;

/// `[len, d]` table: `PE[p, 2i] = sin(p / 10000^(2i/d))`, `PE[p, 2i+1] = cos(…)`.
pub fn sinusoidal_table(len: usize, d: usize) -> Vec<f32> {
    let mut table = vec![0.0f32; len * d];
    for p in 0..len {
        for i in 0..d {
            let freq = 1.0 / 10000f64.powf((2 * (i / 2)) as f64 / d as f64);
            let angle = p as f64 * freq;
            table[p * d + i] = if i % 2 == 0 { angle.sin() } else { angle.cos() } as f32;
        }
    }
    table
}

/// The table as a `[1, len, d]` tensor, ready to broadcast over a batch.
pub fn sinusoidal(len: usize, d: usize, device: &Device) -> Tensor<3> {
    Tensor::<1>::from_floats(sinusoidal_table(len, d).as_slice(), device).reshape([1, len, d])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_starts_with_sin_cos_of_zero() {
        let t = sinusoidal_table(3, 4);
        assert_eq!(&t[..4], &[0.0, 1.0, 0.0, 1.0]);
        assert!((t[4] - 1f32.sin()).abs() < 1e-6);
        assert!((t[5] - 1f32.cos()).abs() < 1e-6);
    }
}
