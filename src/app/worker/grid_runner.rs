//! Runs grids in the training worker, one run after another, through the claims' engine
//! (`claims::execute`, the one `lab claims run` uses): a claim's live check (`claims::live`),
//! judged by its verdict rule, or your own grid (`claims::custom`), summarised without a
//! verdict. One grid at a time: a new one stops the one running. It reports progress, each
//! finished run of your grid and the result; the page only shows them.

use std::rc::Rc;

use super::runner::StopSwitch;
use super::sink::Sink;
use crate::app::wire::protocol::{GridJob, GridNews, GridResult, GridStatus, GridUpdate, Report};
use crate::claims::custom::CustomPlan;
use crate::claims::run::{self, ClaimError, GridRecord, PlannedRun};
use crate::claims::{Claim, live, registry};
use crate::train::yield_now::yield_now;
use crate::train::{BackendChoice, TrainError, backend};

/// Steps between two progress reports of a run (each re-renders the page).
const PROGRESS_EVERY: usize = 10;

/// A grid ready to run: its runs and how each is run and judged.
enum Planned {
    Live(Box<Claim>),
    Custom(CustomPlan),
}

impl Planned {
    fn new(job: GridJob) -> Result<Self, String> {
        match job {
            GridJob::Live(id) => Ok(Self::Live(Box::new(live::claim(&registry::find(&id)?)))),
            GridJob::Custom(grid) => grid.plan().map(Self::Custom).map_err(|e| e.to_string()),
        }
    }

    fn runs(&self) -> Vec<PlannedRun> {
        match self {
            Self::Live(claim) => live::plan(claim),
            Self::Custom(plan) => plan.runs.clone(),
        }
    }

    fn steps(&self) -> usize {
        match self {
            Self::Live(claim) => claim.quick.steps,
            Self::Custom(plan) => plan.grid.steps,
        }
    }

    async fn execute(
        &self,
        run: &PlannedRun,
        device: &burn::prelude::Device,
        on_step: impl FnMut(usize) -> bool,
    ) -> Result<GridRecord, ClaimError> {
        match self {
            Self::Live(claim) => {
                let provenance = live::provenance(claim.id);
                run::execute(claim, true, run, device, &provenance, on_step).await
            }
            Self::Custom(plan) => plan.execute(run, device, on_step).await,
        }
    }

    fn result(&self, records: &[GridRecord]) -> GridResult {
        match self {
            Self::Live(claim) => GridResult::Verdict(Rc::new(run::verdict(claim, true, records))),
            Self::Custom(plan) => GridResult::Survey(Rc::new(plan.survey(records))),
        }
    }
}

/// Starts and cancels grids. Cheap to clone; clones share the stop switch (and compare equal).
#[derive(Clone, PartialEq)]
pub struct GridRunner {
    sink: Sink,
    stop: StopSwitch,
}

impl GridRunner {
    pub fn new(sink: Sink) -> Self {
        Self {
            sink,
            stop: StopSwitch::default(),
        }
    }

    /// Run `job` in the background (stopping a grid that runs); [`GridRunner::cancel`] stops it.
    pub fn run(&self, job: GridJob) {
        let of = job.of();
        let sink = self.sink.clone();
        let news = move |update| {
            sink.send(Report::Grid(GridNews {
                of: of.clone(),
                update,
            }))
        };
        let send = {
            let news = news.clone();
            move |status| news(GridUpdate::Status(status))
        };
        let planned = match Planned::new(job) {
            Ok(planned) => planned,
            Err(e) => return send(GridStatus::Failed(e)),
        };
        // One grid at a time: a grid still running is stopped first (it says so).
        self.stop.stop();
        let stop = self.stop.renew();
        let plan = planned.runs();
        let (runs, steps) = (plan.len(), planned.steps());
        let running = move |run, step, current: String| GridStatus::Running {
            run,
            runs,
            step,
            steps,
            current,
        };
        send(running(0, 0, "starting".into()));
        wasm_bindgen_futures::spawn_local(async move {
            // Small models, where the CPU backend is faster than any adapter; this runs in the
            // page's CPU build (see `app::flavor`).
            let (device, _) = backend::select(BackendChoice::Cpu).await;
            let mut records = Vec::with_capacity(runs);
            for (i, planned_run) in plan.iter().enumerate() {
                if stop.get() {
                    return send(GridStatus::Cancelled { run: i, runs });
                }
                let current = planned_run.key().to_string();
                send(running(i, 0, current.clone()));
                let mut shown = 0;
                let outcome = planned
                    .execute(planned_run, &device, |step| {
                        if step >= shown + PROGRESS_EVERY {
                            shown = step;
                            send(running(i, step, current.clone()));
                        }
                        !stop.get()
                    })
                    .await;
                match outcome {
                    Ok(record) => {
                        if matches!(planned, Planned::Custom(_)) {
                            news(GridUpdate::Finished(Box::new(record.clone())));
                        }
                        records.push(record);
                    }
                    Err(ClaimError::Train(TrainError::Cancelled)) => {
                        return send(GridStatus::Cancelled { run: i, runs });
                    }
                    Err(e) => return send(GridStatus::Failed(e.to_string())),
                }
                // A construction's run does not yield by itself: let the page breathe.
                yield_now().await;
            }
            let result = planned.result(&records);
            send(GridStatus::Done { result, runs });
        });
    }

    pub fn cancel(&self) {
        self.stop.stop();
    }
}
