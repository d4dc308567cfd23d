//! The wire types of a grid job in the worker — a claim's live check or your own grid, both
//! run by one runner on the claims' engine: what the page asks, and the one kind of news each
//! job sends back.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::shared;
use crate::claims::Verdict;
use crate::claims::custom::{CustomGrid, Survey};
use crate::claims::run::GridRecord;

/// A grid the page asks the worker to run (one at a time: a new one stops the one running).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GridJob {
    /// Claim `id`'s live check (`claims::live`).
    Live(String),
    /// Your own grid (`claims::custom`).
    Custom(CustomGrid),
}

impl GridJob {
    /// Whose news it sends.
    pub fn of(&self) -> GridOf {
        match self {
            Self::Live(id) => GridOf::Claim(id.clone()),
            Self::Custom(_) => GridOf::Custom,
        }
    }
}

/// Which grid a piece of news is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GridOf {
    /// The live check of the claim with this id.
    Claim(String),
    /// Your own grid.
    Custom,
}

/// What a grid came to: a claim's verdict, or what your grid shows (it tests no claim).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GridResult {
    Verdict(#[serde(with = "shared")] Rc<Verdict>),
    Survey(#[serde(with = "shared")] Rc<Survey>),
}

/// What a grid is doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GridStatus {
    Running {
        /// Runs finished.
        run: usize,
        runs: usize,
        step: usize,
        steps: usize,
        /// The run in progress, in words.
        current: String,
    },
    /// Finished, with what it came to.
    Done {
        result: GridResult,
        runs: usize,
    },
    Cancelled {
        run: usize,
        runs: usize,
    },
    Failed(String),
}

impl GridStatus {
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running { .. })
    }

    /// (runs done, runs in all), for a progress bar.
    pub fn progress(&self) -> Option<(usize, usize)> {
        match self {
            Self::Running { run, runs, .. } | Self::Cancelled { run, runs } => Some((*run, *runs)),
            Self::Done { runs, .. } => Some((*runs, *runs)),
            Self::Failed(_) => None,
        }
    }
}

/// One piece of news from a grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GridUpdate {
    /// Its status now.
    Status(GridStatus),
    /// One of its runs finished, with its record (sent for your grid, whose cells fill in live).
    Finished(Box<GridRecord>),
}

/// The news of grid `of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridNews {
    pub of: GridOf,
    pub update: GridUpdate,
}
