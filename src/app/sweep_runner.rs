//! Runs a custom sweep grid in the training worker, one run after another, and reports its
//! progress and results to the page (the sweep panel only shows them).

use super::runner::StopSwitch;
use super::state::SweepStatus;
use super::worker::protocol::Report;
use super::worker::sink::Sink;
use crate::train::sweep::{CustomGrid, RunResult, custom, run_one};
use crate::train::{BackendChoice, TrainError, backend};

/// Steps between two progress reports of a run (each re-renders the page).
const PROGRESS_EVERY: usize = 10;

/// Starts and cancels in-tab sweeps. Cheap to clone; clones share the stop switch (and compare
/// equal).
#[derive(Clone, PartialEq)]
pub struct SweepRunner {
    sink: Sink,
    stop: StopSwitch,
}

impl SweepRunner {
    pub fn new(sink: Sink) -> Self {
        Self {
            sink,
            stop: StopSwitch::default(),
        }
    }

    /// Run every point of `grid` in the background (stopping a sweep that runs);
    /// [`SweepRunner::cancel`] stops it.
    pub fn run(&self, grid: CustomGrid) {
        let grid = match custom(&grid) {
            Ok(grid) => grid,
            Err(e) => {
                return self
                    .sink
                    .send(Report::SweepEnded(SweepStatus::Failed(e.to_string())));
            }
        };
        self.stop.stop();
        let stop = self.stop.renew();
        let sink = self.sink.clone();
        let runs = grid.runs.len();
        sink.send(Report::SweepReset);
        sink.send(Report::SweepProgress {
            run: 0,
            runs,
            step: 0,
            steps: grid.runs.first().map_or(0, |r| r.config.steps),
        });
        wasm_bindgen_futures::spawn_local(async move {
            // Small models, where the CPU backend is faster than any adapter; this runs in the
            // page's CPU build (see `worker::flavor`).
            let (device, _) = backend::select(BackendChoice::Cpu).await;
            let mut results: Vec<RunResult> = Vec::new();
            for (run, point) in grid.runs.iter().enumerate() {
                let steps = point.config.steps;
                let mut last_shown = 0;
                let outcome = run_one(point, &device, |step| {
                    if step >= last_shown + PROGRESS_EVERY || step == steps {
                        last_shown = step;
                        sink.send(Report::SweepProgress {
                            run,
                            runs,
                            step,
                            steps,
                        });
                    }
                    !stop.get()
                })
                .await;
                match outcome {
                    Ok(result) => {
                        results.push(result.clone());
                        sink.send(Report::SweepResult(result));
                    }
                    Err(TrainError::Cancelled) => {
                        return sink.send(Report::SweepEnded(SweepStatus::Cancelled));
                    }
                    Err(e) => {
                        return sink.send(Report::SweepEnded(SweepStatus::Failed(e.to_string())));
                    }
                }
            }
            let verdict = grid.judge(&results);
            let summary = if grid.tests_claim {
                let seen = if verdict.appeared {
                    "appeared"
                } else {
                    "did not appear"
                };
                format!(
                    "In this browser: the expected separation {seen} — {}",
                    verdict.summary
                )
            } else {
                format!("In this browser: {}", verdict.summary)
            };
            sink.send(Report::SweepEnded(SweepStatus::Done(summary)));
        });
    }

    pub fn cancel(&self) {
        self.stop.stop();
    }
}
