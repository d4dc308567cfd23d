//! What a verdict rule decides ([`Outcome`]) and what it reads of each run ([`Observation`]):
//! shared by the whole-grid verdict and the per-side verdicts.

use serde::{Deserialize, Serialize};

/// The outcome of a verdict rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Supported,
    NotSupported,
    Inconclusive,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Self::Supported => "SUPPORTED",
            Self::NotSupported => "NOT SUPPORTED",
            Self::Inconclusive => "INCONCLUSIVE",
        }
    }

    /// All must hold for "supported"; one "not supported" decides.
    pub(crate) fn combine(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
        let all: Vec<Outcome> = outcomes.into_iter().collect();
        if all.contains(&Self::NotSupported) {
            Self::NotSupported
        } else if !all.is_empty() && all.iter().all(|&o| o == Self::Supported) {
            Self::Supported
        } else {
            Self::Inconclusive
        }
    }
}

/// One finished run as the verdict sees it: which cell, and which test examples it got right.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub series: String,
    pub size: usize,
    pub width: usize,
    pub seed: u64,
    pub correct: Vec<bool>,
    /// Accuracy on the run's validation stream (which restart of a cell is best), when recorded.
    pub validation: Option<f64>,
}
