//! The small learning-rate search recorded before a claim's grid runs: every trained series of
//! the claim at the grid's smallest size and middle width, on a seed the grid does not use, at
//! each of [`LEARNING_RATES`] with the grid's budget. The best rate per series (highest
//! accuracy on the claim's metric, then lowest final loss) is what the registry sets for the
//! claim, and a test checks that the registry agrees with the committed search.

use std::collections::BTreeMap;

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::claim::{Claim, Series};
use super::run::{ClaimError, PlannedRun, Provenance, RunRecord, execute};

/// The rates tried, a factor of ~3 apart around the sweeps' 3e-3.
pub const LEARNING_RATES: [f64; 3] = [1e-3, 3e-3, 1e-2];

/// The seed of the search: not one of the grid's seeds, so the grid's runs are not the ones
/// the rate was picked on.
pub const SEARCH_SEED: u64 = 101;

/// One run of the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    pub series: String,
    pub learning_rate: f64,
    pub size: usize,
    pub width: usize,
    pub seed: u64,
    pub steps: usize,
    /// On the claim's metric.
    pub accuracy: f64,
    pub final_loss: Option<f32>,
    pub seconds: f64,
}

impl Trial {
    fn from_record(record: &RunRecord) -> Self {
        Self {
            series: record.series.clone(),
            learning_rate: record.learning_rate,
            size: record.size,
            width: record.width,
            seed: record.seed,
            steps: record.steps,
            accuracy: record.accuracy,
            final_loss: record.final_loss,
            seconds: record.seconds,
        }
    }
}

/// A finished search: every trial and the rate chosen per series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Search {
    pub claim: String,
    pub quick: bool,
    pub trials: Vec<Trial>,
    pub chosen: BTreeMap<String, f64>,
    pub provenance: Provenance,
}

/// The runs of the search, series by series, rate by rate.
pub fn plan(claim: &Claim, quick: bool) -> Vec<PlannedRun> {
    let design = claim.design(quick);
    let (Some(&size), Some(&width)) = (
        design.sizes.first(),
        design.widths.get(design.widths.len() / 2),
    ) else {
        return Vec::new();
    };
    claim
        .series
        .iter()
        .filter(|s| s.construction_mode.is_none())
        .flat_map(|series| {
            LEARNING_RATES
                .into_iter()
                .map(move |learning_rate| PlannedRun {
                    series: Series {
                        learning_rate,
                        ..*series
                    },
                    size,
                    width,
                    seed: SEARCH_SEED,
                })
        })
        .collect()
}

/// The best rate per series: the highest accuracy; among equal accuracies the lowest final
/// loss (a missing or non-finite loss counts as the worst); then the smaller rate.
pub fn choose(trials: &[Trial]) -> BTreeMap<String, f64> {
    let loss = |t: &Trial| t.final_loss.filter(|l| l.is_finite()).unwrap_or(f32::MAX);
    let mut best: BTreeMap<String, &Trial> = BTreeMap::new();
    for trial in trials {
        let better = match best.get(&trial.series) {
            None => true,
            Some(b) => {
                trial.accuracy > b.accuracy
                    || (trial.accuracy == b.accuracy
                        && (loss(trial) < loss(b)
                            || (loss(trial) == loss(b) && trial.learning_rate < b.learning_rate)))
            }
        };
        if better {
            best.insert(trial.series.clone(), trial);
        }
    }
    best.into_iter()
        .map(|(series, t)| (series, t.learning_rate))
        .collect()
}

/// Run the search. `on_trial` sees each finished trial (for progress); `on_step` gets the
/// steps of the current run and returns `false` to cancel.
pub async fn run_search(
    claim: &Claim,
    quick: bool,
    device: &Device,
    provenance: &Provenance,
    mut on_trial: impl FnMut(usize, usize, &Trial),
    mut on_step: impl FnMut(usize) -> bool,
) -> Result<Search, ClaimError> {
    let runs = plan(claim, quick);
    let mut trials = Vec::with_capacity(runs.len());
    for (i, run) in runs.iter().enumerate() {
        let record = execute(claim, quick, run, device, provenance, &mut on_step).await?;
        let trial = Trial::from_record(&record);
        on_trial(i + 1, runs.len(), &trial);
        trials.push(trial);
    }
    Ok(Search {
        claim: claim.id.to_string(),
        quick,
        chosen: choose(&trials),
        trials,
        provenance: provenance.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(series: &str, learning_rate: f64, accuracy: f64, loss: Option<f32>) -> Trial {
        Trial {
            series: series.into(),
            learning_rate,
            size: 8,
            width: 16,
            seed: SEARCH_SEED,
            steps: 10,
            accuracy,
            final_loss: loss,
            seconds: 0.0,
        }
    }

    #[test]
    fn the_best_accuracy_wins_then_the_lower_loss_then_the_smaller_rate() {
        let trials = [
            trial("lstm", 1e-3, 0.70, Some(0.5)),
            trial("lstm", 3e-3, 0.90, Some(0.4)),
            trial("lstm", 1e-2, 0.90, Some(0.2)),
            trial("t", 1e-3, 0.5, None),
            trial("t", 3e-3, 0.5, Some(f32::NAN)),
            trial("t", 1e-2, 0.5, Some(0.6)),
            trial("u", 1e-3, 0.6, Some(0.3)),
            trial("u", 3e-3, 0.6, Some(0.3)),
        ];
        let chosen = choose(&trials);
        assert_eq!(chosen["lstm"], 1e-2);
        assert_eq!(chosen["t"], 1e-2);
        assert_eq!(chosen["u"], 1e-3);
        assert_eq!(chosen.len(), 3);
    }

    #[test]
    fn the_search_covers_every_trained_series_at_every_rate_on_its_own_seed() {
        for claim in crate::claims::registry::all() {
            let runs = plan(&claim, true);
            let trained = claim
                .series
                .iter()
                .filter(|s| s.construction_mode.is_none())
                .count();
            assert_eq!(runs.len(), trained * LEARNING_RATES.len(), "{}", claim.id);
            for run in &runs {
                assert!(!claim.design(true).seeds.contains(&run.seed));
                assert!(!claim.design(false).seeds.contains(&run.seed));
                assert!(LEARNING_RATES.contains(&run.series.learning_rate));
                assert_eq!(run.size, claim.design(true).sizes[0]);
            }
        }
    }
}
