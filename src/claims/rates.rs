//! The learning rate each claim trains each series with: the best of the recorded search
//! (`lab claims tune NAME --out assets/results/claims/NAME.lr.json`, see [`super::tune`]) where
//! one is committed, else the grids' default 3e-3. A search picks one rate per series, or one per
//! series and width where the claim's design asks for it. A test checks these tables against
//! the committed searches, so a rate cannot be set by hand without its search.

use super::claim::{Claim, Series};

/// (claim, series, rate) from the committed searches of one rate per series.
pub const TUNED: &[(&str, &str, f64)] = &[];

/// (claim, series, width, rate) from the committed searches of one rate per series and width
/// (designs with `rate_per_width`).
pub const TUNED_PER_WIDTH: &[(&str, &str, usize, f64)] = &[
    // None committed: dyck's and index lookup's searches are archived with their grids
    // (assets/results/claims/archive/); their designs now search the rate in every cell.
];

/// The rate `claim` trains `series` with at `width`: the per-width choice, else the
/// per-series one, else the series' default.
pub fn learning_rate(claim: &str, series: &Series, width: usize) -> f64 {
    TUNED_PER_WIDTH
        .iter()
        .find(|(c, s, w, _)| *c == claim && *s == series.name && *w == width)
        .map(|&(_, _, _, rate)| rate)
        .or_else(|| {
            TUNED
                .iter()
                .find(|(c, s, _)| *c == claim && *s == series.name)
                .map(|&(_, _, rate)| rate)
        })
        .unwrap_or(series.learning_rate)
}

/// `series` with the claim's rate at `width`.
pub fn tuned(claim: &Claim, series: &Series, width: usize) -> Series {
    Series {
        learning_rate: learning_rate(claim.id, series, width),
        ..*series
    }
}

/// Whether the rate was searched (else it is the default).
pub fn is_tuned(claim: &str, series: &str) -> bool {
    TUNED.iter().any(|(c, s, _)| *c == claim && *s == series)
        || TUNED_PER_WIDTH
            .iter()
            .any(|(c, s, _, _)| *c == claim && *s == series)
}

/// The rates `series` trains with over `widths`, for listings: `1e-2`, or
/// `w8 1e-2, w16 3e-3, …` when they differ.
pub fn describe(claim: &str, series: &Series, widths: &[usize]) -> String {
    let rates: Vec<f64> = widths
        .iter()
        .map(|&w| learning_rate(claim, series, w))
        .collect();
    match rates.first() {
        Some(first) if rates.iter().any(|r| r != first) => widths
            .iter()
            .zip(&rates)
            .map(|(w, r)| format!("w{w} {r}"))
            .collect::<Vec<_>>()
            .join(", "),
        Some(first) => first.to_string(),
        None => series.learning_rate.to_string(),
    }
}
