//! What a part-done grid lacks ([`Missing`]): the record a verdict carries, computed by
//! [`super::partial`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// The runs a grid still lacks, cell by cell, with their estimated cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Missing {
    /// Runs in the file.
    pub done: usize,
    /// Runs in the plan.
    pub planned: usize,
    /// The sizes the verdict judges: those whose every run is in.
    pub complete_sizes: Vec<usize>,
    pub cells: Vec<MissingCell>,
    /// Upper estimate of the run time of every missing run, in seconds on the machine that
    /// ran the others (none when no run of a missing cell's series and width was measured).
    pub estimated_seconds: Option<f64>,
}

/// One (series, size, width) with runs missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingCell {
    pub series: String,
    pub size: usize,
    pub width: usize,
    pub seeds: Vec<u64>,
    /// Upper estimate for these seeds (the whole step budget each; early stopping can end a
    /// run sooner).
    pub estimated_seconds: Option<f64>,
}

impl Missing {
    /// One line for cards and the CLI.
    pub fn describe(&self) -> String {
        let sizes: BTreeSet<usize> = self.cells.iter().map(|c| c.size).collect();
        let sizes: Vec<String> = sizes.iter().map(|n| format!("N = {n}")).collect();
        let cost = self.estimated_seconds.map_or_else(
            || "cost unknown (no run of those cells measured)".to_string(),
            |s| format!("at most {:.1} core-hours more on this machine", s / 3600.0),
        );
        format!(
            "part-done grid: {} of {} runs; missing runs at {} ({cost}); judged on the \
             complete sizes only",
            self.done,
            self.planned,
            sizes.join(", ")
        )
    }
}
