//! Positions inside softmax-style attention: RoPE rotates each query and key by its position
//! (Su et al., the GPT-NeoX layout: dimension `k` of a head pairs with `k + d_h/2`), ALiBi
//! subtracts a per-head multiple of the distance from each score (Press et al.). Both are
//! functions of explicit positions, so the full pass, a pass read at a few rows and the cached
//! decoder (whose sparse cache holds only some keys) compute the same scores. The angles and
//! slopes are computed on the host in f64 (as the sinusoidal table), then rounded to f32.

use burn::prelude::*;

/// RoPE's base (the `10000` of `θ_k = p / 10000^(2k/d_h)`).
pub const ROPE_BASE: f64 = 10_000.0;

/// RoPE's rotation of the positions it was made for: `cos` and `sin` as `[1, 1, T, d_h / 2]`,
/// made once and applied to the queries and keys at those positions.
pub struct Rotation {
    cos: Tensor<4>,
    sin: Tensor<4>,
}

impl Rotation {
    pub fn at(positions: &[usize], dh: usize, device: &Device) -> Self {
        let (t, half) = (positions.len(), dh / 2);
        let (cos, sin) = rope_tables(positions, dh);
        Self {
            cos: Tensor::<1>::from_floats(cos.as_slice(), device).reshape([1, 1, t, half]),
            sin: Tensor::<1>::from_floats(sin.as_slice(), device).reshape([1, 1, t, half]),
        }
    }

    /// `x: [B, H, T, d_h]` at this rotation's positions, rotated.
    pub fn apply(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, t, dh] = x.dims();
        let half = dh / 2;
        let first = x.clone().slice([0..b, 0..h, 0..t, 0..half]);
        let second = x.slice([0..b, 0..h, 0..t, half..dh]);
        Tensor::cat(
            vec![
                first.clone() * self.cos.clone() - second.clone() * self.sin.clone(),
                second * self.cos.clone() + first * self.sin.clone(),
            ],
            3,
        )
    }
}

/// `scores: [B, H, Q, K]` of queries at `queries` over keys at `keys` with ALiBi's bias added.
/// Only keys at or before their query are ever read (the mask blocks the others), so the bias
/// is `−m_h (i − j)` with `i ≥ j`.
pub fn alibi(scores: Tensor<4>, queries: &[usize], keys: &[usize]) -> Tensor<4> {
    let [_, h, q, k] = scores.dims();
    let bias: Vec<f32> = alibi_slopes(h)
        .into_iter()
        .flat_map(|m| {
            queries.iter().flat_map(move |&i| {
                keys.iter()
                    .map(move |&j| (-m * (i as f64 - j as f64).max(0.0)) as f32)
            })
        })
        .collect();
    let bias = Tensor::<1>::from_floats(bias.as_slice(), &scores.device()).reshape([1, h, q, k]);
    scores + bias
}

/// `(cos, sin)`, each `[positions.len(), d_h / 2]` row-major: the angle of position `p` and
/// pair `k` is `p / ROPE_BASE^(2k/d_h)`.
pub fn rope_tables(positions: &[usize], dh: usize) -> (Vec<f32>, Vec<f32>) {
    let half = dh / 2;
    let mut cos = Vec::with_capacity(positions.len() * half);
    let mut sin = Vec::with_capacity(positions.len() * half);
    for &p in positions {
        for k in 0..half {
            let angle = p as f64 / ROPE_BASE.powf((2 * k) as f64 / dh as f64);
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    (cos, sin)
}

/// ALiBi's slope of each of `n_heads` heads: the geometric sequence `2^(−8(h+1)/H)` (Press et
/// al.'s, as TransformerLens computes it for any number of heads).
pub fn alibi_slopes(n_heads: usize) -> Vec<f64> {
    (0..n_heads)
        .map(|h| 2f64.powf(-8.0 * (h + 1) as f64 / n_heads as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(t: Tensor<4>) -> Vec<f32> {
        t.into_data().iter::<f32>().collect()
    }

    #[test]
    fn rope_keeps_norms_and_makes_scores_depend_on_the_distance_only() {
        let device = Device::flex();
        let dh = 8;
        let q: Vec<f32> = (0..dh).map(|i| (i as f32 * 0.37).sin()).collect();
        let k: Vec<f32> = (0..dh).map(|i| (i as f32 * 0.91).cos()).collect();
        let at = |v: &[f32], p: usize| {
            Rotation::at(&[p], dh, &device)
                .apply(Tensor::<1>::from_floats(v, &device).reshape([1, 1, 1, dh]))
        };
        let dot = |a: Tensor<4>, b: Tensor<4>| (a * b).sum().into_scalar::<f32>();
        // Position 0 is the identity; a rotation keeps the norm.
        assert_eq!(values(at(&q, 0)), q);
        let norm = |v: Vec<f32>| v.iter().map(|x| x * x).sum::<f32>();
        assert!((norm(values(at(&q, 7))) - norm(q.clone())).abs() < 1e-5);
        // q at 5 · k at 2 equals q at 13 · k at 10: the same distance.
        let near = dot(at(&q, 5), at(&k, 2));
        let far = dot(at(&q, 13), at(&k, 10));
        assert!((near - far).abs() < 1e-5, "{near} vs {far}");
        assert!((near - dot(at(&q, 5), at(&k, 4))).abs() > 1e-3);
    }

    #[test]
    fn alibi_subtracts_the_slope_times_the_distance() {
        let device = Device::flex();
        assert_eq!(alibi_slopes(8)[0], 0.5);
        assert_eq!(alibi_slopes(8)[7], 1.0 / 256.0);
        let zeros = Tensor::<4>::zeros([1, 2, 2, 3], &device);
        let got = values(alibi(zeros, &[2, 4], &[0, 2, 3]));
        // Slopes 1/16 and 1/256; query 2 over keys 0, 2 and 3 (3 is after it: no bias), query 4.
        let expected = [
            -2.0 / 16.0,
            0.0,
            0.0,
            -4.0 / 16.0,
            -2.0 / 16.0,
            -1.0 / 16.0,
            -2.0 / 256.0,
            0.0,
            0.0,
            -4.0 / 256.0,
            -2.0 / 256.0,
            -1.0 / 256.0,
        ];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-7, "{got:?}");
        }
    }
}
