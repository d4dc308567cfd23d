//! One finished run of a grid as its results file holds it ([`GridRecord`], one JSON line),
//! with where and how it was made ([`Provenance`]) and the values a run can have
//! ([`GridRecord::validate`]).

use serde::{Deserialize, Serialize};

use super::claim::Metric;
use super::outcome::Observation;
use super::plan::RunKey;

/// Where and how a run was made (every record carries it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub command: String,
    pub commit: String,
    pub machine: String,
}

/// One finished run, as one JSON line of the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridRecord {
    pub claim: String,
    pub quick: bool,
    pub series: String,
    pub architecture: String,
    pub layers: usize,
    pub width: usize,
    pub size: usize,
    pub seed: u64,
    /// Training steps (0 for a construction).
    pub steps: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// The construction evaluated and its attention mode, when not trained.
    pub construction: Option<String>,
    pub attention: String,
    pub metric: Metric,
    /// The judged metric on this run's test examples.
    pub accuracy: f64,
    /// Teacher-forced exact match (reported, never judged for DP tasks).
    pub teacher_forced: f64,
    /// Share of examples whose final answer is right (greedy for DP tasks).
    pub answer: f64,
    /// The training loss at the end: the mean over the last
    /// [`crate::train::metrics::LAST_LOSS_STEPS`] steps (none for a construction).
    pub final_loss: Option<f32>,
    /// Per test example, `1` if the judged metric holds for it (the bootstrap resamples these).
    pub correct: String,
    /// The judged metric on a validation stream of as many examples (neither training nor
    /// test data): which restart of a cell is best. Absent from records made before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<f64>,
    /// The design hash of the grid the run belongs to ([`super::design_id`]); absent from
    /// records made before it existed (those are checked field by field only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
    /// Steps trained when the run stopped early ([`super::early_stop`]; absent: the budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_trained: Option<usize>,
    /// The step from which the validation metric stayed at the threshold (early stopping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_to_threshold: Option<usize>,
    /// The `lab` command that re-runs this cell alone and compares it with this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproduce: Option<String>,
    pub seconds: f64,
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl GridRecord {
    /// Values a run can have: shares in [0, 1], test answers as a string of `0`/`1` whose share
    /// of ones is the accuracy, non-negative times. Field-by-field agreement with the grid is
    /// [`check_records`]'.
    pub fn validate(&self) -> Result<(), String> {
        let key = self.key();
        let share = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(format!("{key}: {name} {v} is not a share in [0, 1]"))
            }
        };
        share("accuracy", self.accuracy)?;
        share("teacher-forced exact match", self.teacher_forced)?;
        share("answer accuracy", self.answer)?;
        if let Some(v) = self.validation {
            share("validation accuracy", v)?;
        }
        if self.correct.is_empty() || self.correct.bytes().any(|b| b != b'0' && b != b'1') {
            return Err(format!(
                "{key}: its test answers must be a string of 0 and 1, one per example"
            ));
        }
        let ones = self.correct.bytes().filter(|&b| b == b'1').count();
        let mean = ones as f64 / self.correct.len() as f64;
        if (mean - self.accuracy).abs() > 1e-9 {
            return Err(format!(
                "{key}: accuracy {} disagrees with its test answers ({ones} of {} right)",
                self.accuracy,
                self.correct.len()
            ));
        }
        if !(self.seconds >= 0.0 && self.seconds.is_finite()) {
            return Err(format!(
                "{key}: run time {} s is not a duration",
                self.seconds
            ));
        }
        if self.steps_trained.is_some_and(|t| t > self.steps) {
            return Err(format!("{key}: trained more steps than its budget"));
        }
        Ok(())
    }

    pub fn key(&self) -> RunKey {
        RunKey {
            series: self.series.clone(),
            size: self.size,
            width: self.width,
            seed: self.seed,
        }
    }

    /// This run as a verdict reads it.
    pub fn observation(&self) -> Observation {
        Observation {
            series: self.series.clone(),
            size: self.size,
            width: self.width,
            seed: self.seed,
            correct: self.bits(),
            validation: self.validation,
            steps_to_threshold: self.steps_to_threshold,
        }
    }

    pub fn bits(&self) -> Vec<bool> {
        self.correct.bytes().map(|b| b == b'1').collect()
    }
}
