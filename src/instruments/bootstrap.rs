//! Bootstrap intervals over examples for the instruments: a pooled share `Σ value / Σ weight`
//! and its percentile interval, examples drawn with replacement from a seeded stream (the same
//! table every time).

use serde::{Deserialize, Serialize};

use crate::tasks::TaskRng;

/// Bootstrap replicates of every interval.
pub const REPLICATES: usize = 1000;

/// A share (or a difference of shares) with its bootstrap 95 % interval over examples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// `Σ value / Σ weight` over `items` (one per example: its value and its weight, e.g. the
/// positions it contributes), with the 2.5 and 97.5 percentiles of the same over examples
/// drawn with replacement. An empty set is 0.
pub fn pooled(items: &[(f64, f64)], key: u64) -> Share {
    let share = |pick: &mut dyn Iterator<Item = &(f64, f64)>| {
        let (v, w) = pick.fold((0.0, 0.0), |(v, w), (x, y)| (v + x, w + y));
        if w > 0.0 { v / w } else { 0.0 }
    };
    let estimate = share(&mut items.iter());
    if items.is_empty() {
        return Share {
            estimate,
            low: estimate,
            high: estimate,
        };
    }
    let mut rng = TaskRng::new(key, 0x00a9_4ee7);
    let mut replicates: Vec<f64> = (0..REPLICATES)
        .map(|_| {
            let drawn: Vec<&(f64, f64)> = (0..items.len())
                .map(|_| &items[rng.index(items.len())])
                .collect();
            share(&mut drawn.into_iter())
        })
        .collect();
    replicates.sort_by(f64::total_cmp);
    let at = |q: f64| replicates[(q * (REPLICATES - 1) as f64).round() as usize];
    Share {
        estimate,
        low: at(0.025).min(estimate),
        high: at(0.975).max(estimate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_covers_the_estimate_and_has_the_binomial_width() {
        // 400 examples at 50 %: standard error 2.5 points, so the interval is about ±5.
        let items: Vec<(f64, f64)> = (0..400).map(|i| (f64::from(i % 2), 1.0)).collect();
        let s = pooled(&items, 1);
        assert_eq!(s.estimate, 0.5);
        let half = (s.high - s.low) / 2.0;
        assert!((0.04..0.06).contains(&half), "{s:?}");
        let all: Vec<(f64, f64)> = vec![(1.0, 1.0); 50];
        let s = pooled(&all, 2);
        assert_eq!((s.estimate, s.low, s.high), (1.0, 1.0, 1.0));
        assert_eq!(pooled(&[], 3).estimate, 0.0);
    }

    #[test]
    fn weights_pool_positions_rather_than_averaging_examples() {
        // One example with 3 of 4 positions right, one with 0 of 1: 3 / 5, not (0.75 + 0) / 2.
        let s = pooled(&[(3.0, 4.0), (0.0, 1.0)], 4);
        assert!((s.estimate - 0.6).abs() < 1e-12, "{s:?}");
    }
}
