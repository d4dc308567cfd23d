//! What a w*(N) plot draws beside the measured points: the theory's curve of a series (log N,
//! N, √L or constant, up to a constant factor), scaled through the series' first reached
//! w* — the smallest size where it is reached, as [`super::verdict`] scales its `theory`
//! column; a later size when the smallest is not reached (the card says through which).

use super::claim::Claim;
use super::stats::WStar;
use super::verdict::WStarRow;

/// Samples of the curve per doubling of N (the curve is smooth between the grid's sizes).
const PER_DOUBLING: usize = 8;

/// The theory curve of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct TheoryCurve {
    /// (N, width) from the series' anchor to its largest size.
    pub points: Vec<(f64, f64)>,
    /// The size the curve goes through the measured w*.
    pub anchor: usize,
}

/// The rows of `series`, by size.
pub fn rows_of<'a>(rows: &'a [WStarRow], series: &str) -> Vec<&'a WStarRow> {
    let mut of: Vec<&WStarRow> = rows.iter().filter(|r| r.series == series).collect();
    of.sort_by_key(|r| r.size);
    of
}

/// The theory's curve of `series` through its first reached w*; `None` when the series is on
/// neither side of `claim` or never reaches the threshold (there is nothing to scale by).
pub fn theory(claim: &Claim, series: &str, rows: &[WStarRow]) -> Option<TheoryCurve> {
    let growth = claim.growth_of(series)?;
    let of = rows_of(rows, series);
    let largest = of.last()?.size;
    let (anchor, w0) = of.iter().find_map(|r| match r.w_star.estimate {
        WStar::Width(w) => Some((r.size, w)),
        WStar::NotReached => None,
    })?;
    let at = |n: usize| w0 as f64 * growth.curve(claim.task, n) / growth.curve(claim.task, anchor);
    let doublings = (largest as f64 / anchor as f64).log2().max(0.0);
    let samples = (doublings * PER_DOUBLING as f64).ceil() as usize;
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(samples + 1);
    for i in 0..=samples {
        let n = (anchor as f64 * 2f64.powf(doublings * i as f64 / samples.max(1) as f64)).round();
        let n = (n as usize).clamp(anchor, largest);
        if points.last().is_none_or(|&(last, _)| last < n as f64) {
            points.push((n as f64, at(n)));
        }
    }
    Some(TheoryCurve { points, anchor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::registry;
    use crate::claims::stats::WStarEstimate;

    fn row(series: &str, size: usize, w: WStar, theory: Option<f64>) -> WStarRow {
        WStarRow {
            series: series.into(),
            size,
            w_star: WStarEstimate {
                estimate: w,
                low: w,
                high: w,
                replicates: Vec::new(),
            },
            theory,
        }
    }

    #[test]
    fn the_curve_goes_through_the_first_point_and_matches_the_verdicts_theory() {
        let claim = registry::find("index-lookup").unwrap();
        // The verdict's theory for the LSTM (linear) through w*(16) = 8.
        let rows = vec![
            row("lstm", 16, WStar::Width(8), Some(8.0)),
            row("lstm", 128, WStar::Width(64), Some(64.0)),
            row("transformer-1L", 16, WStar::Width(16), Some(16.0)),
            row(
                "transformer-1L",
                128,
                WStar::Width(16),
                Some(16.0 * 7.0 / 4.0),
            ),
        ];
        for series in ["lstm", "transformer-1L"] {
            let curve = theory(&claim, series, &rows).unwrap();
            assert_eq!(curve.anchor, 16);
            for r in rows_of(&rows, series) {
                let (_, w) = curve
                    .points
                    .iter()
                    .find(|(n, _)| *n == r.size as f64)
                    .unwrap_or_else(|| panic!("{series}: no point at N = {}", r.size));
                assert!(
                    (w - r.theory.unwrap()).abs() < 1e-9,
                    "{series} N = {}",
                    r.size
                );
            }
            // Dense between the sizes, and increasing in N.
            assert!(curve.points.len() >= 3 * PER_DOUBLING, "{series}");
            assert!(
                curve
                    .points
                    .windows(2)
                    .all(|p| p[0].0 < p[1].0 && p[0].1 <= p[1].1)
            );
        }
    }

    #[test]
    fn a_series_not_reached_at_first_is_anchored_later_or_not_drawn() {
        let claim = registry::find("dyck").unwrap();
        let rows = vec![
            row("lstm", 8, WStar::NotReached, None),
            row("lstm", 32, WStar::Width(16), None),
            row("transformer-1L", 8, WStar::NotReached, None),
            row("transformer-1L", 32, WStar::NotReached, None),
        ];
        // The LSTM side is O(1): flat through its only reached point.
        let lstm = theory(&claim, "lstm", &rows).unwrap();
        assert_eq!((lstm.anchor, lstm.points.clone()), (32, vec![(32.0, 16.0)]));
        assert_eq!(theory(&claim, "transformer-1L", &rows), None);
        assert_eq!(theory(&claim, "no-such-series", &rows), None);
    }
}
