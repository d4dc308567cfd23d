//! The small learning-rate search recorded before a claim's grid runs: every trained series of
//! the claim at the grid's smallest size and middle width (every width when the design has
//! [`Design::rate_per_width`](super::Design::rate_per_width)), on a seed the grid does not
//! use, at each of [`LEARNING_RATES`] with the grid's budget. The best rate per series (or per
//! series and width; highest accuracy on the claim's metric, then lowest final loss) is what
//! [`super::rates`] sets for the claim, and a test checks that it agrees with the committed
//! search.

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

/// A finished search: every trial and the rate chosen per series, or per series and width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Search {
    pub claim: String,
    pub quick: bool,
    pub trials: Vec<Trial>,
    /// Per series (a search at one width).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub chosen: BTreeMap<String, f64>,
    /// Per series and width (a search at every width).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chosen_per_width: Vec<WidthRate>,
    pub provenance: Provenance,
}

/// The rate chosen for one series at one width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidthRate {
    pub series: String,
    pub width: usize,
    pub learning_rate: f64,
}

/// The runs of the search, series by series, width by width, rate by rate.
pub fn plan(claim: &Claim, quick: bool) -> Vec<PlannedRun> {
    let design = claim.design(quick);
    let widths: &[usize] = if design.rate_per_width {
        design.widths
    } else {
        design
            .widths
            .get(design.widths.len() / 2)
            .map_or(&[], std::slice::from_ref)
    };
    let Some(&size) = design.sizes.first() else {
        return Vec::new();
    };
    claim
        .series
        .iter()
        .filter(|s| s.construction_mode.is_none())
        .flat_map(|series| {
            widths.iter().flat_map(move |&width| {
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
        })
        .collect()
}

/// Whether `a` beats `b`: the higher accuracy; among equal accuracies the lower final loss (a
/// missing or non-finite loss counts as the worst); then the smaller rate.
fn beats(a: &Trial, b: &Trial) -> bool {
    let loss = |t: &Trial| t.final_loss.filter(|l| l.is_finite()).unwrap_or(f32::MAX);
    a.accuracy > b.accuracy
        || (a.accuracy == b.accuracy
            && (loss(a) < loss(b) || (loss(a) == loss(b) && a.learning_rate < b.learning_rate)))
}

/// The best trial per key.
fn best_by<K: Ord>(trials: &[Trial], key: impl Fn(&Trial) -> K) -> BTreeMap<K, &Trial> {
    let mut best: BTreeMap<K, &Trial> = BTreeMap::new();
    for trial in trials {
        let k = key(trial);
        if best.get(&k).is_none_or(|b| beats(trial, b)) {
            best.insert(k, trial);
        }
    }
    best
}

/// The best rate per series (see [`beats`]).
pub fn choose(trials: &[Trial]) -> BTreeMap<String, f64> {
    best_by(trials, |t| t.series.clone())
        .into_iter()
        .map(|(series, t)| (series, t.learning_rate))
        .collect()
}

/// The best rate per series and width (see [`beats`]), by series then width.
pub fn choose_per_width(trials: &[Trial]) -> Vec<WidthRate> {
    best_by(trials, |t| (t.series.clone(), t.width))
        .into_iter()
        .map(|((series, width), t)| WidthRate {
            series,
            width,
            learning_rate: t.learning_rate,
        })
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
    let per_width = claim.design(quick).rate_per_width;
    Ok(Search {
        claim: claim.id.to_string(),
        quick,
        chosen: if per_width {
            BTreeMap::new()
        } else {
            choose(&trials)
        },
        chosen_per_width: if per_width {
            choose_per_width(&trials)
        } else {
            Vec::new()
        },
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
    fn per_width_the_best_rate_is_chosen_for_each_width_on_its_own() {
        let at = |width, learning_rate, accuracy| Trial {
            width,
            ..trial("t", learning_rate, accuracy, Some(0.1))
        };
        let trials = [
            at(16, 1e-3, 0.8),
            at(16, 1e-2, 1.0),
            at(128, 1e-3, 0.9),
            at(128, 1e-2, 0.1),
        ];
        let chosen: Vec<(usize, f64)> = choose_per_width(&trials)
            .iter()
            .map(|c| (c.width, c.learning_rate))
            .collect();
        assert_eq!(chosen, [(16, 1e-2), (128, 1e-3)]);
        // One rate per series would have been 1e-2 for both.
        assert_eq!(choose(&trials)["t"], 1e-2);
    }

    #[test]
    fn a_per_width_design_searches_every_width() {
        let mut claim = crate::claims::registry::find("index-lookup").unwrap();
        claim.quick.rate_per_width = true;
        let runs = plan(&claim, true);
        let widths: std::collections::BTreeSet<usize> = runs.iter().map(|r| r.width).collect();
        assert_eq!(widths.into_iter().collect::<Vec<_>>(), claim.quick.widths);
        assert_eq!(
            runs.len(),
            claim.series.len() * claim.quick.widths.len() * LEARNING_RATES.len()
        );
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
            let widths = if claim.quick.rate_per_width {
                claim.quick.widths.len()
            } else {
                1
            };
            assert_eq!(
                runs.len(),
                trained * widths * LEARNING_RATES.len(),
                "{}",
                claim.id
            );
            for run in &runs {
                assert!(!claim.design(true).seeds.contains(&run.seed));
                assert!(!claim.design(false).seeds.contains(&run.seed));
                assert!(LEARNING_RATES.contains(&run.series.learning_rate));
                assert_eq!(run.size, claim.design(true).sizes[0]);
            }
        }
    }
}
