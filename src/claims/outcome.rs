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
    /// The step from which its validation metric held the threshold (early stopping), when
    /// recorded.
    pub steps_to_threshold: Option<usize>,
}

/// Whether every one of `runs` recorded a validation accuracy, so that a cell's best restart
/// can be chosen without looking at the test set.
pub fn validated<'a>(runs: impl IntoIterator<Item = &'a Observation>) -> bool {
    runs.into_iter().all(|o| o.validation.is_some())
}

/// The test bits a cell is judged on: those of the restart with the best validation accuracy
/// (ties: the lower seed) when `validated`, else every seed's (pooled).
pub fn chosen(runs: &[&Observation], validated: bool) -> Vec<Vec<bool>> {
    if !validated {
        return runs.iter().map(|o| o.correct.clone()).collect();
    }
    best_restart(runs)
        .map(|o| vec![o.correct.clone()])
        .unwrap_or_default()
}

/// The restart with the best validation accuracy (ties: the lower seed).
pub fn best_restart<'a>(runs: &[&'a Observation]) -> Option<&'a Observation> {
    runs.iter().copied().max_by(|a, b| {
        let (x, y) = (a.validation.unwrap_or(0.0), b.validation.unwrap_or(0.0));
        x.total_cmp(&y).then(b.seed.cmp(&a.seed))
    })
}

/// How a cell's restarts were used, in words for cards and verdicts.
pub fn selection_words(validated: bool) -> &'static str {
    if validated {
        "best restart per cell, chosen on a validation stream (not the test set)"
    } else {
        "seeds pooled: these runs recorded no validation accuracy, so no restart can be chosen \
         without looking at the test set (pooling is conservative: the best restart does at \
         least as well)"
    }
}
