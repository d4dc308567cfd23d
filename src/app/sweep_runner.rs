//! Runs a sweep grid in this tab, one run after another, and reports its progress and results to
//! the page's state (the sweep panel only shows them).

use yew::UseReducerDispatcher;
use yew::prelude::*;

use super::runner::StopSwitch;
use super::state::{Action, AppState, SweepStatus};
use crate::train::sweep::{Preset, RunResult, run_one};
use crate::train::{BackendChoice, TrainError, backend};

/// Steps between two progress reports of a run (each re-renders the page).
const PROGRESS_EVERY: usize = 10;

/// Starts and cancels in-tab sweeps. Cheap to clone; clones share the stop switch (and compare
/// equal).
#[derive(Clone, PartialEq)]
pub struct SweepRunner {
    dispatch: UseReducerDispatcher<AppState>,
    stop: StopSwitch,
}

/// The page's sweep runner, created once and kept across renders.
#[hook]
pub fn use_sweep_runner(dispatch: UseReducerDispatcher<AppState>) -> SweepRunner {
    let runner = use_memo((), move |_| SweepRunner {
        dispatch,
        stop: StopSwitch::default(),
    });
    (*runner).clone()
}

impl SweepRunner {
    /// Run every point of `grid` in the background; [`SweepRunner::cancel`] stops it.
    pub fn run(&self, grid: Preset) {
        let stop = self.stop.renew();
        let dispatch = self.dispatch.clone();
        let runs = grid.runs.len();
        dispatch.dispatch(Action::SweepReset);
        dispatch.dispatch(Action::SweepProgress {
            run: 0,
            runs,
            step: 0,
            steps: grid.runs.first().map_or(0, |r| r.config.steps),
        });
        wasm_bindgen_futures::spawn_local(async move {
            let (device, _) = backend::select(BackendChoice::Auto).await;
            let mut results: Vec<RunResult> = Vec::new();
            for (run, point) in grid.runs.iter().enumerate() {
                let steps = point.config.steps;
                let mut last_shown = 0;
                let outcome = run_one(point, &device, |step| {
                    if step >= last_shown + PROGRESS_EVERY || step == steps {
                        last_shown = step;
                        dispatch.dispatch(Action::SweepProgress {
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
                        dispatch.dispatch(Action::SweepResult(result));
                    }
                    Err(TrainError::Cancelled) => {
                        return dispatch.dispatch(Action::SweepEnded(SweepStatus::Cancelled));
                    }
                    Err(e) => {
                        return dispatch
                            .dispatch(Action::SweepEnded(SweepStatus::Failed(e.to_string())));
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
            dispatch.dispatch(Action::SweepEnded(SweepStatus::Done(summary)));
        });
    }

    pub fn cancel(&self) {
        self.stop.stop();
    }
}
