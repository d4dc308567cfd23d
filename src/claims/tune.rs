//! The small learning-rate search recorded before a claim's grid runs: every trained series of
//! the claim at the grid's smallest size (or the design's `tune_size`) and middle width (every width when the design has
//! [`Design::rate_per_width`](super::Design::rate_per_width)), on a seed the grid does not
//! use, at each of [`LEARNING_RATES`] with the grid's budget. The best rate per series (or per
//! series and width; highest accuracy on the claim's metric, then the fewest steps trained
//! under early stopping, then the lowest final loss) is what
//! [`super::rates`] sets for the claim, and a test checks that it agrees with the committed
//! search. A search can run in shards (`--shard i/n`) joined by [`merge`].

use std::collections::{BTreeMap, BTreeSet};

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::claim::{Claim, Series};
use super::run::{ClaimError, GridRecord, PlannedRun, Provenance, Shard, execute};

/// The rates tried, a factor of ~3 apart around the grids' default 3e-3.
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
    /// Steps trained before early stopping ended the run (absent: the whole budget, or a
    /// search recorded before early stopping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_trained: Option<usize>,
    /// On the claim's metric.
    pub accuracy: f64,
    pub final_loss: Option<f32>,
    pub seconds: f64,
}

impl Trial {
    fn from_record(record: &GridRecord) -> Self {
        Self {
            series: record.series.clone(),
            learning_rate: record.learning_rate,
            size: record.size,
            width: record.width,
            seed: record.seed,
            steps: record.steps,
            steps_trained: record.steps_trained,
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
    let Some(&smallest) = design.sizes.first() else {
        return Vec::new();
    };
    let size = if design.tune_size == 0 {
        smallest
    } else {
        design.tune_size
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

/// Whether `a` beats `b`: the higher accuracy; among equal accuracies the fewer steps trained
/// (early stopping ended it sooner: a run stopped early is at the threshold, and its final
/// loss, taken mid-training, says less than how soon it got there); then the lower final loss
/// (a missing or non-finite loss counts as the worst); then the smaller rate.
fn beats(a: &Trial, b: &Trial) -> bool {
    let loss = |t: &Trial| t.final_loss.filter(|l| l.is_finite()).unwrap_or(f32::MAX);
    let trained = |t: &Trial| t.steps_trained.unwrap_or(t.steps);
    if a.accuracy != b.accuracy {
        return a.accuracy > b.accuracy;
    }
    if trained(a) != trained(b) {
        return trained(a) < trained(b);
    }
    loss(a) < loss(b) || (loss(a) == loss(b) && a.learning_rate < b.learning_rate)
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

/// Run the search (or `shard` of it). `on_trial` sees each finished trial (for progress);
/// `on_step` gets the steps of the current run and returns `false` to cancel.
pub async fn run_search(
    claim: &Claim,
    quick: bool,
    shard: Shard,
    device: &Device,
    provenance: &Provenance,
    mut on_trial: impl FnMut(usize, usize, &Trial),
    mut on_step: impl FnMut(usize) -> bool,
) -> Result<Search, ClaimError> {
    let runs = shard.select(plan(claim, quick));
    let mut trials = Vec::with_capacity(runs.len());
    for (i, run) in runs.iter().enumerate() {
        let record = execute(claim, quick, run, device, provenance, &mut on_step).await?;
        let trial = Trial::from_record(&record);
        on_trial(i + 1, runs.len(), &trial);
        trials.push(trial);
    }
    let mut search = Search::judge(claim, quick, trials, provenance.clone());
    if shard != Shard::WHOLE {
        // A shard holds part of each width's rates: nothing is chosen until `merge`.
        search.chosen.clear();
        search.chosen_per_width.clear();
    }
    Ok(search)
}

/// The key of a trial in the plan: (series, rate, size, width, seed).
fn trial_key(t: &Trial) -> (String, u64, usize, usize, u64) {
    (
        t.series.clone(),
        t.learning_rate.to_bits(),
        t.size,
        t.width,
        t.seed,
    )
}

fn planned_key(r: &PlannedRun) -> (String, u64, usize, usize, u64) {
    (
        r.series.name.to_string(),
        r.series.learning_rate.to_bits(),
        r.size,
        r.width,
        r.seed,
    )
}

impl Search {
    /// The search made of `trials`, with the rates they choose.
    pub fn judge(claim: &Claim, quick: bool, trials: Vec<Trial>, provenance: Provenance) -> Self {
        let per_width = claim.design(quick).rate_per_width;
        Self {
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
            provenance,
        }
    }
}

/// Join the shards of one search: the same claim and grid, every planned trial exactly once
/// (a trial outside the plan, a duplicate or a missing one is refused, naming it); the rates
/// are chosen again over all trials. The provenance is the first part's.
pub fn merge(claim: &Claim, quick: bool, parts: Vec<Search>) -> Result<Search, String> {
    let planned: BTreeSet<_> = plan(claim, quick).iter().map(planned_key).collect();
    let mut seen = BTreeSet::new();
    let mut trials = Vec::new();
    let mut provenance = None;
    for part in parts {
        if part.claim != claim.id || part.quick != quick {
            return Err(format!(
                "a part searches claim `{}`{}, not `{}`{}",
                part.claim,
                if part.quick { " (quick)" } else { "" },
                claim.id,
                if quick { " (quick)" } else { "" }
            ));
        }
        provenance.get_or_insert(part.provenance);
        for trial in part.trials {
            let key = trial_key(&trial);
            let name = format!(
                "{} lr {} at N = {}, width {}, seed {}",
                trial.series, trial.learning_rate, trial.size, trial.width, trial.seed
            );
            if !planned.contains(&key) {
                return Err(format!("{name} is not a trial of this search"));
            }
            if !seen.insert(key) {
                return Err(format!("{name} is in two parts"));
            }
            trials.push(trial);
        }
    }
    if let Some(missing) = plan(claim, quick)
        .iter()
        .find(|r| !seen.contains(&planned_key(r)))
    {
        return Err(format!(
            "the parts miss {} lr {} at N = {}, width {}, seed {} (every shard is needed)",
            missing.series.name,
            missing.series.learning_rate,
            missing.size,
            missing.width,
            missing.seed
        ));
    }
    let provenance = provenance.ok_or("no part to merge")?;
    // In plan order, as one unsharded search writes them.
    let order: BTreeMap<_, usize> = plan(claim, quick)
        .iter()
        .enumerate()
        .map(|(i, r)| (planned_key(r), i))
        .collect();
    trials.sort_by_key(|t| order.get(&trial_key(t)).copied());
    Ok(Search::judge(claim, quick, trials, provenance))
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
            steps_trained: None,
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
                let design = claim.design(true);
                let size = if design.tune_size == 0 {
                    design.sizes[0]
                } else {
                    design.tune_size
                };
                assert_eq!(run.size, size);
            }
        }
    }

    #[test]
    fn among_runs_at_the_threshold_the_one_early_stopping_ended_soonest_wins() {
        let stopped = |learning_rate, trained, loss| Trial {
            steps_trained: trained,
            ..trial("t", learning_rate, 1.0, Some(loss))
        };
        // 1e-2 has the lowest loss but trained the whole budget; 3e-3 stopped first.
        let trials = [
            stopped(1e-3, Some(6), 0.3),
            stopped(3e-3, Some(4), 0.2),
            stopped(1e-2, None, 0.01),
        ];
        assert_eq!(choose(&trials)["t"], 3e-3);
        // Without early stopping the loss decides, as before.
        let whole = [stopped(3e-3, None, 0.2), stopped(1e-2, None, 0.01)];
        assert_eq!(choose(&whole)["t"], 1e-2);
    }

    #[test]
    fn a_design_can_search_at_a_size_of_its_own() {
        let mut claim = crate::claims::registry::find("dyck").unwrap();
        claim.quick.tune_size = 16;
        assert!(plan(&claim, true).iter().all(|r| r.size == 16));
        claim.quick.tune_size = 0;
        assert!(
            plan(&claim, true)
                .iter()
                .all(|r| r.size == claim.quick.sizes[0])
        );
    }

    fn trials_of(claim: &Claim, runs: &[PlannedRun]) -> Vec<Trial> {
        runs.iter()
            .map(|r| Trial {
                series: r.series.name.into(),
                learning_rate: r.series.learning_rate,
                size: r.size,
                width: r.width,
                seed: r.seed,
                steps: claim.quick.steps,
                steps_trained: None,
                // Accuracy falls with the rate at width 8 and rises with it elsewhere.
                accuracy: if r.width == 8 {
                    1.0 - r.series.learning_rate
                } else {
                    r.series.learning_rate
                },
                final_loss: Some(0.1),
                seconds: 1.0,
            })
            .collect()
    }

    fn provenance() -> Provenance {
        Provenance {
            command: "test".into(),
            commit: "test".into(),
            machine: "test".into(),
        }
    }

    #[test]
    fn shards_of_a_search_merge_into_the_whole_search() {
        let claim = crate::claims::registry::find("dyck").unwrap();
        let whole = Search::judge(
            &claim,
            true,
            trials_of(&claim, &plan(&claim, true)),
            provenance(),
        );
        let parts: Vec<Search> = (1..=3)
            .map(|index| {
                let runs = Shard { index, count: 3 }.select(plan(&claim, true));
                Search::judge(&claim, true, trials_of(&claim, &runs), provenance())
            })
            .collect();
        let merged = merge(&claim, true, parts.clone()).unwrap();
        assert_eq!(merged.chosen, whole.chosen);
        assert_eq!(merged.chosen_per_width, whole.chosen_per_width);
        assert_eq!(merged.trials, whole.trials, "in plan order");
        // A missing shard, a shard given twice, another claim's search: refused, naming why.
        let err = merge(&claim, true, parts[..2].to_vec()).unwrap_err();
        assert!(err.contains("miss"), "{err}");
        let twice = vec![
            parts[0].clone(),
            parts[0].clone(),
            parts[1].clone(),
            parts[2].clone(),
        ];
        let err = merge(&claim, true, twice).unwrap_err();
        assert!(err.contains("two parts"), "{err}");
        let other = crate::claims::registry::find("index-lookup").unwrap();
        let err = merge(&other, true, parts).unwrap_err();
        assert!(err.contains("not `index-lookup`"), "{err}");
    }
}
