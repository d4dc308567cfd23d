//! Your own grid (the page's "Your grid" panel): one task, sizes × widths × architectures, one
//! seed a run, trained and scored by the engine every claim's grid runs on
//! ([`super::execute`]) and summarised as a claim's cells are ([`super::verdict::cells`]):
//! accuracy per cell with its interval over examples, w*(N) per series, and the constant
//! predictor's floor at each size. No claim is tested, so there is no verdict.

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::claim::{Metric, Stopping, trained};
use super::error::ClaimError;
use super::execute::{RecordHead, train_scored};
use super::grid_config::grid_config;
use super::outcome::Observation;
use super::plan::PlannedRun;
use super::record::{GridRecord, Provenance};
use super::stats::{WStarEstimate, w_star};
use super::verdict::{Cell, cells, trivial_share};
use crate::models::Architecture;
use crate::tasks::TaskKind;
use crate::train::{TrainConfig, TrainError};

/// The claim id of a custom grid's records.
pub const ID: &str = "custom";
/// The largest custom grid accepted (the page runs it in a tab).
pub const MAX_CUSTOM_RUNS: usize = 64;
/// Test examples per run (and as many on the validation stream).
pub const EXAMPLES: usize = 128;
/// The seed of every run.
const SEED: u64 = 1;
/// The learning rate of every run (the grids' default).
const LEARNING_RATE: f64 = 3e-3;

/// A grid of the user's choosing: one task, sizes × widths × architectures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomGrid {
    pub task: TaskKind,
    pub sizes: Vec<usize>,
    pub widths: Vec<usize>,
    pub architectures: Vec<Architecture>,
    pub layers: usize,
    pub steps: usize,
}

/// Why a custom grid cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CustomGridError {
    #[error("a grid needs at least one size, one width and one architecture")]
    Empty,
    #[error("{0} runs is too many for one grid in a tab (at most {MAX_CUSTOM_RUNS})")]
    TooManyRuns(usize),
    #[error("{architecture} at size {size}, width {width}: {error}")]
    InvalidRun {
        architecture: &'static str,
        size: usize,
        width: usize,
        error: TrainError,
    },
}

/// A custom grid checked and planned: its runs, in order (size, width, architecture), and the
/// metric they are judged on.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomPlan {
    pub grid: CustomGrid,
    pub metric: Metric,
    pub runs: Vec<PlannedRun>,
}

impl CustomGrid {
    /// The training config of `run` (a run of this grid's plan).
    pub fn config(&self, run: &PlannedRun) -> TrainConfig {
        TrainConfig {
            steps: self.steps,
            learning_rate: LEARNING_RATE,
            seed: run.seed,
            eval_every: self.steps.max(1),
            eval_examples: EXAMPLES,
            ..grid_config(
                self.task,
                run.size,
                run.series.architecture,
                run.width,
                self.layers,
            )
        }
    }

    /// Every run, each config validated (the first invalid one is named), and the metric:
    /// greedy whole-CoT exact match where the task writes a chain of thought, else accuracy.
    pub fn plan(&self) -> Result<CustomPlan, CustomGridError> {
        if self.sizes.is_empty() || self.widths.is_empty() || self.architectures.is_empty() {
            return Err(CustomGridError::Empty);
        }
        let count = self.sizes.len() * self.widths.len() * self.architectures.len();
        if count > MAX_CUSTOM_RUNS {
            return Err(CustomGridError::TooManyRuns(count));
        }
        let mut runs = Vec::with_capacity(count);
        let metric = if self.task.info().chain_of_thought {
            Metric::GreedyCot
        } else {
            Metric::Accuracy
        };
        for &size in &self.sizes {
            for &width in &self.widths {
                for &arch in &self.architectures {
                    let run = PlannedRun {
                        series: trained(arch.name(), arch, self.layers, LEARNING_RATE),
                        size,
                        width,
                        seed: SEED,
                    };
                    let invalid = |error| CustomGridError::InvalidRun {
                        architecture: arch.name(),
                        size,
                        width,
                        error,
                    };
                    let config = self.config(&run);
                    config.validate().map_err(invalid)?;
                    runs.push(run);
                }
            }
        }
        Ok(CustomPlan {
            grid: self.clone(),
            metric,
            runs,
        })
    }
}

/// Where a custom grid's record comes from.
pub fn provenance() -> Provenance {
    Provenance {
        command: "your grid in the page".into(),
        commit: String::new(),
        machine: "this browser tab".into(),
    }
}

impl CustomPlan {
    /// Train and score one run of this plan. `on_step` gets the steps done and returns `false`
    /// to cancel.
    pub async fn execute(
        &self,
        run: &PlannedRun,
        device: &Device,
        on_step: impl FnMut(usize) -> bool,
    ) -> Result<GridRecord, ClaimError> {
        let config = self.grid.config(run);
        let provenance = provenance();
        let head = RecordHead {
            claim: ID,
            quick: false,
            run,
            steps: self.grid.steps,
            batch_size: config.batch_size,
            metric: self.metric,
            design: None,
            reproduce: None,
            provenance: &provenance,
            started: web_time::Instant::now(),
        };
        let scores = train_scored(config, self.metric, Stopping::NEVER, device, on_step).await?;
        Ok(head.record(scores))
    }

    /// What the finished runs `records` show (any subset of the plan).
    pub fn survey(&self, records: &[GridRecord]) -> Survey {
        let observations: Vec<Observation> = records.iter().map(GridRecord::observation).collect();
        let cells = cells(ID, &observations);
        let threshold = self.metric.threshold();
        let mut w_stars = Vec::new();
        for arch in &self.grid.architectures {
            for &size in &self.grid.sizes {
                let by_width: Vec<(usize, Vec<Vec<bool>>)> = self
                    .grid
                    .widths
                    .iter()
                    .filter_map(|&w| {
                        let o = observations
                            .iter()
                            .find(|o| o.series == arch.name() && o.size == size && o.width == w)?;
                        Some((w, vec![o.correct.clone()]))
                    })
                    .collect();
                if by_width.len() == self.grid.widths.len() {
                    let key = format!("{ID}/{}/{size}", arch.name());
                    w_stars.push(SurveyWStar {
                        series: arch.name().to_string(),
                        size,
                        w_star: w_star(&key, &by_width, threshold),
                    });
                }
            }
        }
        let floors = self
            .grid
            .sizes
            .iter()
            .map(|&size| (size, trivial_share(self.grid.task, size, &[SEED], EXAMPLES)))
            .collect();
        Survey {
            metric: self.metric,
            threshold,
            cells,
            w_star: w_stars,
            constant_floor: floors,
        }
    }
}

/// w*(N) of one series at one size of a custom grid (every width of the size has run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyWStar {
    pub series: String,
    pub size: usize,
    pub w_star: WStarEstimate,
}

/// What a custom grid shows: no verdict, the cells and w*(N) beside the constant predictor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    pub metric: Metric,
    pub threshold: f64,
    pub cells: Vec<Cell>,
    pub w_star: Vec<SurveyWStar>,
    /// (size, the most common completion's share of the test examples).
    pub constant_floor: Vec<(usize, f64)>,
}

impl Survey {
    /// One paragraph: w*(N) per series, and the floor.
    pub fn summary(&self) -> String {
        let mut series: Vec<&str> = self.w_star.iter().map(|w| w.series.as_str()).collect();
        series.dedup();
        let per_series: Vec<String> = series
            .iter()
            .map(|name| {
                let sizes: Vec<String> = self
                    .w_star
                    .iter()
                    .filter(|w| w.series == *name)
                    .map(|w| format!("N = {}: {}", w.size, w.w_star.estimate))
                    .collect();
                format!("{name} {}", sizes.join(", "))
            })
            .collect();
        let floor = self
            .constant_floor
            .iter()
            .map(|(n, share)| format!("{:.0} % at N = {n}", 100.0 * share))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "smallest width reaching {:.0} % {} — {}. A constant predictor scores {floor}. No \
             claim is tested: one seed a run, intervals over examples only.",
            100.0 * self.threshold,
            self.metric.name(),
            if per_series.is_empty() {
                "no size has every width yet".to_string()
            } else {
                per_series.join("; ")
            }
        )
    }
}
