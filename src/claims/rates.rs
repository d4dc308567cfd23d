//! The learning rate each claim trains each series with: the best of the recorded search
//! (`lab claims tune NAME --out assets/results/claims/NAME.lr.json`, see [`super::tune`]) where
//! one is committed, else the sweeps' 3e-3. A test checks this table against the committed
//! searches, so a rate cannot be set by hand without its search.

use super::claim::{Claim, Series};

/// (claim, series, rate) from the committed searches.
pub const TUNED: &[(&str, &str, f64)] = &[
    // assets/results/claims/dyck.lr.json (N = 16, width 16, 4,000 steps)
    ("dyck", "lstm", 1e-2),
    ("dyck", "transformer-1L", 3e-3),
    // assets/results/claims/index-lookup.lr.json (quick: N = 8, width 32, 1,500 steps)
    ("index-lookup", "transformer-1L", 1e-2),
    ("index-lookup", "lstm", 1e-2),
];

/// The rate `claim` trains `series` with.
pub fn learning_rate(claim: &str, series: &Series) -> f64 {
    TUNED
        .iter()
        .find(|(c, s, _)| *c == claim && *s == series.name)
        .map_or(series.learning_rate, |&(_, _, rate)| rate)
}

/// `series` with the claim's rate.
pub fn tuned(claim: &Claim, series: &Series) -> Series {
    Series {
        learning_rate: learning_rate(claim.id, series),
        ..*series
    }
}

/// Whether the rate was searched (else it is the default).
pub fn is_tuned(claim: &str, series: &str) -> bool {
    TUNED.iter().any(|(c, s, _)| *c == claim && *s == series)
}
