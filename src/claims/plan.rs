//! A claim's grid as runs: every (size, width, series, seed) in a fixed order ([`plan`]), the
//! key a record is filed under ([`RunKey`]) and a deterministic 1/n of the grid ([`Shard`]).

use serde::{Deserialize, Serialize};

use super::claim::{Claim, Series};
use super::rates;

/// One cell of the grid and seed: what a record is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunKey {
    pub series: String,
    pub size: usize,
    pub width: usize,
    pub seed: u64,
}

impl std::fmt::Display for RunKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} N = {} width {} seed {}",
            self.series, self.size, self.width, self.seed
        )
    }
}

/// One run of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRun {
    pub series: Series,
    pub size: usize,
    pub width: usize,
    pub seed: u64,
}

impl PlannedRun {
    pub fn key(&self) -> RunKey {
        RunKey {
            series: self.series.name.to_string(),
            size: self.size,
            width: self.width,
            seed: self.seed,
        }
    }
}

/// Every run of the claim's grid, in a fixed order: size, width, series, seed.
pub fn plan(claim: &Claim, quick: bool) -> Vec<PlannedRun> {
    let design = claim.design(quick);
    let mut runs = Vec::new();
    for &size in design.sizes {
        for &width in design.widths {
            for series in claim.series {
                for &seed in design.seeds {
                    let mut series = rates::tuned(claim, series, width);
                    if let Some(rate) = design.restart_rate(seed) {
                        series.learning_rate = rate;
                    }
                    runs.push(PlannedRun {
                        series,
                        size,
                        width,
                        seed,
                    });
                }
            }
        }
    }
    runs
}

/// `i/n`: the runs whose position in the plan is `i − 1` modulo `n` (1 ≤ i ≤ n).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("--shard takes i/n with 1 ≤ i ≤ n (e.g. 2/8), got `{text}`");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }

    /// This shard's runs of `plan` (a claim's plan).
    pub fn select<T>(self, plan: Vec<T>) -> Vec<T> {
        plan.into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index - 1)
            .map(|(_, r)| r)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::registry;

    #[test]
    fn a_design_with_restart_rates_trains_each_seed_at_its_own_rate() {
        let claim = registry::find("index-lookup").unwrap();
        let rates = claim.full.restart_rates;
        assert_eq!(rates.len(), claim.full.seeds.len());
        for run in plan(&claim, false) {
            let i = claim
                .full
                .seeds
                .iter()
                .position(|&s| s == run.seed)
                .unwrap();
            assert_eq!(run.series.learning_rate, rates[i], "{}", run.key());
        }
        // Without them every seed trains at the series' rate.
        let dyck = registry::find("dyck").unwrap();
        for run in plan(&dyck, false) {
            assert_eq!(
                run.series.learning_rate,
                rates::learning_rate("dyck", &run.series, run.width)
            );
        }
    }

    #[test]
    fn the_disjointness_curriculum_serves_only_the_sizes_above_its_start_and_is_stated() {
        let claim = registry::find("disjointness").unwrap();
        let runs = plan(&claim, false);
        assert!(!runs.is_empty());
        for run in runs {
            let config = claim.train_config(&run.series, run.size, run.width, run.seed, false);
            assert!(config.model.pairs_share_position, "{}", run.key());
            assert_eq!(config.curriculum.is_some(), run.size > 16, "{}", run.key());
            // A curriculum with shared pair codes is a valid configuration (each stage lays
            // the pairs out for its own size).
            assert!(config.validate().is_ok(), "{}", run.key());
        }
        let words = claim.full.curriculum_words();
        assert!(
            words.contains("from size 16") && words.contains("40 %"),
            "{words}"
        );
        assert_eq!(registry::find("dyck").unwrap().full.curriculum_words(), "");
    }
}
