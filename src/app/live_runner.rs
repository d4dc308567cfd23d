//! Runs a claim's live check (`claims::live`) in the training worker, one run after another,
//! through the same `claims::run::execute` and verdict rule as `lab claims run`; reports its
//! progress and verdict to the page (the Claims panel only shows them).

use std::rc::Rc;

use super::runner::StopSwitch;
use super::state::{LiveCheck, LiveStatus};
use super::worker::protocol::Report;
use super::worker::sink::Sink;
use crate::claims::run::{self, ClaimError};
use crate::claims::{live, registry};
use crate::train::yield_now::yield_now;
use crate::train::{BackendChoice, TrainError, backend};

/// Steps between two progress reports of a run (each re-renders the page).
const PROGRESS_EVERY: usize = 10;

/// Starts and cancels live checks. Cheap to clone; clones share the stop switch (and compare
/// equal).
#[derive(Clone, PartialEq)]
pub struct LiveRunner {
    sink: Sink,
    stop: StopSwitch,
}

impl LiveRunner {
    pub fn new(sink: Sink) -> Self {
        Self {
            sink,
            stop: StopSwitch::default(),
        }
    }

    /// Run the live check of claim `id` in the background (stopping one that runs);
    /// [`LiveRunner::cancel`] stops it.
    pub fn run(&self, id: String) {
        let found = registry::find(&id);
        let sink = self.sink.clone();
        let send = move |status| {
            sink.send(Report::Live(LiveCheck {
                claim: id.clone(),
                status,
            }))
        };
        let claim = match found {
            Ok(claim) => live::claim(&claim),
            Err(e) => return send(LiveStatus::Failed(e)),
        };
        // One check at a time: a check still running is stopped first.
        self.stop.stop();
        let stop = self.stop.renew();
        let plan = live::plan(&claim);
        let (runs, steps) = (plan.len(), claim.quick.steps);
        let running = move |run, step, current: String| LiveStatus::Running {
            run,
            runs,
            step,
            steps,
            current,
        };
        send(running(0, 0, "starting".into()));
        wasm_bindgen_futures::spawn_local(async move {
            // Small models, where the CPU backend is faster than any adapter; this runs in the
            // page's CPU build (see `worker::flavor`).
            let (device, _) = backend::select(BackendChoice::Cpu).await;
            let provenance = live::provenance(claim.id);
            let mut records = Vec::with_capacity(runs);
            for (i, planned) in plan.iter().enumerate() {
                if stop.get() {
                    return send(LiveStatus::Cancelled { run: i, runs });
                }
                let current = planned.key().to_string();
                send(running(i, 0, current.clone()));
                let mut shown = 0;
                let outcome = run::execute(&claim, true, planned, &device, &provenance, |step| {
                    if step >= shown + PROGRESS_EVERY {
                        shown = step;
                        send(running(i, step, current.clone()));
                    }
                    !stop.get()
                })
                .await;
                match outcome {
                    Ok(record) => records.push(record),
                    Err(ClaimError::Train(TrainError::Cancelled)) => {
                        return send(LiveStatus::Cancelled { run: i, runs });
                    }
                    Err(e) => return send(LiveStatus::Failed(e.to_string())),
                }
                // A construction's run does not yield by itself: let the page breathe.
                yield_now().await;
            }
            let verdict = run::verdict(&claim, true, &records);
            send(LiveStatus::Done {
                verdict: Rc::new(verdict),
                runs,
            });
        });
    }

    pub fn cancel(&self) {
        self.stop.stop();
    }
}
