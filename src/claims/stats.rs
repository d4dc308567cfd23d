//! Bootstrap confidence intervals over seeds and test examples, and w*(N) — the smallest width
//! on the grid that reaches the threshold — with its interval.
//!
//! One replicate resamples the seeds (with replacement), then the examples within each drawn
//! seed; the accuracy is the pooled share of correct examples. The interval is the percentile
//! interval of [`REPLICATES`] replicates. The random stream is ChaCha8 seeded from a fixed
//! constant and the cell's name, so every figure is reproducible and independent cells get
//! independent streams.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Bootstrap replicates per interval.
pub const REPLICATES: usize = 1000;
/// The fixed seed every bootstrap stream starts from.
pub const BOOTSTRAP_SEED: u64 = 0x5eed_c1a1;

/// A point estimate with its 95 % percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    #[serde(deserialize_with = "nan_if_null")]
    pub estimate: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub low: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub high: f64,
}

/// A number written by `serde_json`, which writes NaN (an undefined figure) as `null`.
pub fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.1} % [{:.1}, {:.1}]",
            100.0 * self.estimate,
            100.0 * self.low,
            100.0 * self.high
        )
    }
}

/// The bootstrap stream of the cell called `key`.
pub fn stream(key: &str) -> ChaCha8Rng {
    // FNV-1a: a stable hash (std's is not guaranteed across releases).
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED ^ hash)
}

/// Uniform index in `0..n` from a fixed-width draw (portable to wasm32).
fn draw(rng: &mut ChaCha8Rng, n: usize) -> usize {
    rng.random_range(0..n as u32) as usize
}

/// Pooled share of correct examples over all seeds.
pub fn pooled(seeds: &[Vec<bool>]) -> f64 {
    let total: usize = seeds.iter().map(Vec::len).sum();
    let correct: usize = seeds.iter().map(|s| s.iter().filter(|&&c| c).count()).sum();
    if total == 0 {
        f64::NAN
    } else {
        correct as f64 / total as f64
    }
}

/// Seed indices of one replicate.
fn resample_seeds(rng: &mut ChaCha8Rng, seeds: usize) -> Vec<usize> {
    (0..seeds).map(|_| draw(rng, seeds)).collect()
}

/// Pooled accuracy of the drawn seeds, each with its examples resampled.
fn resampled_accuracy(rng: &mut ChaCha8Rng, seeds: &[Vec<bool>], drawn: &[usize]) -> f64 {
    let (mut correct, mut total) = (0usize, 0usize);
    for &s in drawn {
        let bits = &seeds[s];
        for _ in 0..bits.len() {
            correct += usize::from(bits[draw(rng, bits.len())]);
        }
        total += bits.len();
    }
    if total == 0 {
        f64::NAN
    } else {
        correct as f64 / total as f64
    }
}

/// The value at quantile `q` of sorted values (nearest rank, rounded outwards by the caller's
/// choice of `floor`/`ceil`).
fn at_quantile<T: Copy>(sorted: &[T], q: f64, up: bool) -> T {
    let pos = q * (sorted.len() - 1) as f64;
    let i = if up { pos.ceil() } else { pos.floor() } as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The 95 % percentile interval of `replicates` around `estimate`.
pub fn percentile_interval(estimate: f64, mut replicates: Vec<f64>) -> Interval {
    replicates.retain(|x| !x.is_nan());
    if replicates.is_empty() {
        return Interval {
            estimate,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    replicates.sort_by(f64::total_cmp);
    Interval {
        estimate,
        low: at_quantile(&replicates, 0.025, false),
        high: at_quantile(&replicates, 0.975, true),
    }
}

/// Accuracy of one cell (per-seed correctness bits) with its bootstrap interval over seeds and
/// examples; `key` names the cell's random stream.
pub fn accuracy_interval(key: &str, seeds: &[Vec<bool>]) -> Interval {
    let estimate = pooled(seeds);
    if seeds.is_empty() {
        return percentile_interval(estimate, Vec::new());
    }
    let mut rng = stream(key);
    let replicates = (0..REPLICATES)
        .map(|_| {
            let drawn = resample_seeds(&mut rng, seeds.len());
            resampled_accuracy(&mut rng, seeds, &drawn)
        })
        .collect();
    percentile_interval(estimate, replicates)
}

/// w*: the smallest width on the grid that reaches the threshold, or none on the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WStar {
    Width(usize),
    /// No width on the grid reaches the threshold (w* > the largest width).
    NotReached,
}

impl WStar {
    /// The width, or `censored` (a lower bound) when not reached.
    pub fn value_or(self, censored: usize) -> usize {
        match self {
            Self::Width(w) => w,
            Self::NotReached => censored,
        }
    }

    pub fn is_reached(self) -> bool {
        matches!(self, Self::Width(_))
    }
}

impl std::fmt::Display for WStar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Width(w) => write!(f, "{w}"),
            Self::NotReached => f.write_str("not reached"),
        }
    }
}

/// w* from accuracies per width (ascending widths).
pub fn smallest_reaching(accuracies: &[(usize, f64)], threshold: f64) -> WStar {
    accuracies
        .iter()
        .find(|(_, a)| *a >= threshold)
        .map_or(WStar::NotReached, |&(w, _)| WStar::Width(w))
}

/// w*(N) of one series at one size, with its percentile interval and the replicates (the
/// verdict combines them across cells).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WStarEstimate {
    pub estimate: WStar,
    pub low: WStar,
    pub high: WStar,
    #[serde(skip)]
    pub replicates: Vec<WStar>,
}

impl std::fmt::Display for WStarEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.estimate)
        } else {
            write!(f, "{} [{}, {}]", self.estimate, self.low, self.high)
        }
    }
}

/// w* of one (series, size): `by_width` holds, per width (ascending), the correctness bits of
/// each seed, seeds in the same order at every width. A replicate draws seed indices once (the
/// same at every width), resamples the examples of each drawn seed at each width, and takes
/// the smallest width whose pooled accuracy reaches `threshold`.
pub fn w_star(key: &str, by_width: &[(usize, Vec<Vec<bool>>)], threshold: f64) -> WStarEstimate {
    let point: Vec<(usize, f64)> = by_width.iter().map(|(w, s)| (*w, pooled(s))).collect();
    let estimate = smallest_reaching(&point, threshold);
    let seeds = by_width.iter().map(|(_, s)| s.len()).min().unwrap_or(0);
    if seeds == 0 {
        return WStarEstimate {
            estimate,
            low: estimate,
            high: estimate,
            replicates: Vec::new(),
        };
    }
    let mut rng = stream(key);
    let replicates: Vec<WStar> = (0..REPLICATES)
        .map(|_| {
            let drawn = resample_seeds(&mut rng, seeds);
            let accuracies: Vec<(usize, f64)> = by_width
                .iter()
                .map(|(w, s)| (*w, resampled_accuracy(&mut rng, s, &drawn)))
                .collect();
            smallest_reaching(&accuracies, threshold)
        })
        .collect();
    let mut sorted = replicates.clone();
    sorted.sort_unstable();
    WStarEstimate {
        estimate,
        low: at_quantile(&sorted, 0.025, false),
        high: at_quantile(&sorted, 0.975, true),
        replicates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(correct: usize, total: usize) -> Vec<bool> {
        (0..total).map(|i| i < correct).collect()
    }

    #[test]
    fn a_perfect_cell_has_a_degenerate_interval() {
        let seeds = vec![bits(50, 50); 3];
        let ci = accuracy_interval("perfect", &seeds);
        assert_eq!((ci.estimate, ci.low, ci.high), (1.0, 1.0, 1.0));
    }

    #[test]
    fn the_interval_covers_the_estimate_and_has_the_binomial_width() {
        // 3 seeds × 200 examples at 50 %: the pooled standard error is √(.25/600) ≈ 0.0204, so
        // the 95 % interval is about ±0.04.
        let seeds = vec![bits(100, 200); 3];
        let ci = accuracy_interval("half", &seeds);
        assert_eq!(ci.estimate, 0.5);
        assert!(ci.low < 0.5 && ci.high > 0.5, "{ci:?}");
        let half_width = (ci.high - ci.low) / 2.0;
        assert!((0.03..0.05).contains(&half_width), "{ci:?}");
    }

    #[test]
    fn seed_to_seed_spread_widens_the_interval() {
        // Same pooled accuracy, but one seed failed: resampling seeds must show it.
        let steady = vec![bits(140, 200); 3];
        let spread = vec![bits(200, 200), bits(200, 200), bits(20, 200)];
        let a = accuracy_interval("cell", &steady);
        let b = accuracy_interval("cell", &spread);
        assert!((a.estimate - b.estimate).abs() < 1e-12);
        assert!(b.high - b.low > 3.0 * (a.high - a.low), "{a:?} vs {b:?}");
        // With one seed at 10 % out of three, some replicates draw it twice or three times.
        assert!(b.low < 0.45, "{b:?}");
    }

    #[test]
    fn the_bootstrap_is_deterministic() {
        let seeds = vec![bits(30, 64), bits(40, 64), bits(50, 64)];
        assert_eq!(
            accuracy_interval("x", &seeds),
            accuracy_interval("x", &seeds)
        );
    }

    #[test]
    fn w_star_is_the_smallest_width_reaching_the_threshold() {
        let acc = [(8, 0.5), (16, 0.96), (32, 0.94), (64, 0.99)];
        assert_eq!(smallest_reaching(&acc, 0.95), WStar::Width(16));
        assert_eq!(smallest_reaching(&acc, 0.995), WStar::NotReached);
        assert!(WStar::Width(1_000_000) < WStar::NotReached);
    }

    #[test]
    fn w_star_of_clear_cells_has_a_point_interval() {
        let grid = vec![
            (8, vec![bits(10, 100); 3]),
            (16, vec![bits(100, 100); 3]),
            (32, vec![bits(100, 100); 3]),
        ];
        let w = w_star("clear", &grid, 0.95);
        assert_eq!(
            (w.estimate, w.low, w.high),
            (WStar::Width(16), WStar::Width(16), WStar::Width(16))
        );
        assert_eq!(w.replicates.len(), REPLICATES);
    }

    #[test]
    fn w_star_near_the_threshold_has_a_wide_interval() {
        // Width 16 sits at the threshold (95 %): about half the replicates reach it there,
        // the rest only at 32; width 8 never does.
        let grid = vec![
            (8, vec![bits(50, 100); 3]),
            (16, vec![bits(95, 100); 3]),
            (32, vec![bits(100, 100); 3]),
        ];
        let w = w_star("edge", &grid, 0.95);
        assert_eq!(w.estimate, WStar::Width(16));
        assert_eq!((w.low, w.high), (WStar::Width(16), WStar::Width(32)));
    }

    #[test]
    fn w_star_not_reached_anywhere() {
        let grid = vec![(8, vec![bits(50, 100); 3]), (16, vec![bits(60, 100); 3])];
        let w = w_star("never", &grid, 0.95);
        assert_eq!(
            (w.estimate, w.low, w.high),
            (WStar::NotReached, WStar::NotReached, WStar::NotReached)
        );
    }
}
