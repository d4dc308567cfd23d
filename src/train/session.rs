//! The one training driver: a session owns a run (its [`Trainer`], the step engine), is
//! stepped by its caller in short slices ([`Session::advance`]), takes typed [`Command`]s and
//! reports typed [`Event`]s. The page (in a Web Worker), `lab train` and the
//! claims' grids all train through it, so chunking, evaluation points, divergence and resuming
//! behave the same everywhere.
//!
//! Nothing here blocks or needs threads or `std::time`: time comes from a clock closure and
//! device reads are async, so the same code runs natively and in a browser. Evaluation points
//! end a slice ([`Event::Checkpoint`]): there a caller may save a resumable snapshot
//! ([`Session::snapshot`]) before the next step changes the weights.

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::checkpoint::{self, CheckpointError};
use super::eval::GreedyReport;
use super::inspect::{Inspection, inspect};
use super::yield_now::yield_now;
use super::{Metrics, TrainConfig, TrainError, Trainer};
use crate::models::Model;
use crate::tasks::{Example, Task};

/// What a caller asks of a session (a page sends these to its worker as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Start a new run (the previous one, if any, is dropped).
    Start(TrainConfig),
    /// Stop stepping until [`Command::Resume`]; nothing is lost.
    Pause,
    /// Continue a paused run.
    Resume,
    /// End the run now (before the next step); its weights stay for inspection and export.
    Stop,
    /// Inspect the held-out example of this index (modulo the test set's size).
    Inspect(usize),
    /// Export the current weights as checkpoint bytes (resumable at an evaluation point).
    Export,
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// All its steps were taken.
    Completed,
    /// Stopped by [`Command::Stop`].
    Stopped,
    /// The loss became NaN or infinite; the last good weights were restored.
    Diverged,
    /// An error ended it ([`Event::Failed`] says which).
    Failed,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// No run yet.
    Idle,
    /// [`Session::advance`] takes steps.
    Running,
    /// Waiting for [`Command::Resume`].
    Paused,
    /// The run is over; its weights stay.
    Finished(Outcome),
}

/// What a session reports (a worker posts these to its page as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// A run starts (or resumes from a snapshot) at `step` of `steps`.
    Started { step: usize, steps: usize },
    /// Steps done; at the end of every [`Session::advance`] that took a step.
    Progress {
        step: usize,
        steps: usize,
        /// Steps per second of the session's active time (training and evaluation).
        steps_per_second: f64,
    },
    /// An evaluation point: the losses since the last one and the held-out accuracy.
    Evaluated(Metrics),
    /// The run is at an evaluation point (right after [`Event::Evaluated`], before the next
    /// step): [`Session::snapshot`] now gives bytes to resume from (`resumable`; without
    /// optimizer state, see [`Session::without_sync_reads`], only the weights and history).
    Checkpoint { step: usize, resumable: bool },
    /// The loss became NaN or infinite at `step`; the weights of step `restored` are back and
    /// the run ends ([`Event::Finished`] follows).
    Diverged {
        step: usize,
        loss: f32,
        restored: usize,
    },
    /// Paused at `step`.
    Paused { step: usize },
    /// Running again from `step`.
    Resumed { step: usize },
    /// The run is over.
    Finished { step: usize, outcome: Outcome },
    /// The answer to [`Command::Inspect`].
    Inspected(Box<Inspection>),
    /// The answer to [`Command::Export`]: a checkpoint file.
    Exported { bytes: Vec<u8>, resumable: bool },
    /// Something went wrong; a run-ending error comes with [`Event::Finished`]
    /// ([`Outcome::Failed`]), a failed command (a bad config, an inspection) leaves the run
    /// as it was.
    Failed(String),
}

/// Why a session cannot do what it is asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SessionError {
    #[error("there is no run yet")]
    NoRun,
    #[error(
        "a run can be saved to resume from only at an evaluation point; this one is at step {step}, {since} steps after the last"
    )]
    NotAtEvaluation { step: usize, since: usize },
    #[error(
        "the optimizer state cannot be read on this device (synchronous reads), so this run cannot be saved to resume from"
    )]
    NoSyncReads,
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// Milliseconds from some fixed origin.
pub type Clock = Box<dyn Fn() -> f64>;

/// `web_time`'s clock (works natively, in a page and in a worker).
fn default_clock() -> Clock {
    let origin = web_time::Instant::now();
    Box::new(move || origin.elapsed().as_secs_f64() * 1000.0)
}

/// Time a session spent, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// Taking steps (queued device work on asynchronous backends).
    pub training: f64,
    /// At evaluation points (reading losses back and evaluating).
    pub evaluating: f64,
}

/// One training run, driven by its caller. See the module docs.
pub struct Session {
    device: Device,
    trainer: Option<Trainer>,
    phase: Phase,
    clock: Clock,
    /// Whether the device allows synchronous reads (burn reads optimizer state that way).
    sync_reads: bool,
    /// Steps taken by this session (not those of the run it resumed) and the time it took.
    steps_taken: usize,
    timing: Timing,
    /// The error that ended the run, typed (events carry its message).
    error: Option<TrainError>,
    /// Free text stored in saved checkpoints.
    note: String,
    /// Every evaluation also measures free generation ([`Metrics::free`]).
    free_evaluation: bool,
}

impl Session {
    /// An idle session on `device` (autodiff is added for training).
    pub fn new(device: &Device) -> Self {
        Self {
            device: device.clone(),
            trainer: None,
            phase: Phase::Idle,
            clock: default_clock(),
            sync_reads: true,
            steps_taken: 0,
            timing: Timing::default(),
            error: None,
            note: String::new(),
            free_evaluation: false,
        }
    }

    /// Measure free generation (greedy, on the held-out set) at every evaluation too, recorded
    /// in the history: what a run really can do, beside the teacher-forced figures. It costs a
    /// generation pass per evaluation and draws no random numbers (a run's steps are the same
    /// with it or without it).
    pub fn with_free_evaluation(mut self) -> Self {
        self.free_evaluation = true;
        self
    }

    /// Use another clock (milliseconds), e.g. `performance.now()` in a worker.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// For devices that panic on synchronous reads (WebGPU in a browser): snapshots then hold
    /// weights and history only (`resumable: false`). Kept as a policy switch: the snapshot
    /// itself no longer reads synchronously (the optimizer's state is read with
    /// [`Trainer::optimizer_state_async`]).
    pub fn without_sync_reads(mut self) -> Self {
        self.sync_reads = false;
        self
    }

    /// Free text stored in the checkpoints this session writes (e.g. the command); a resumed
    /// session keeps its file's until this is called.
    pub fn set_note(&mut self, note: impl Into<String>) {
        self.note = note.into();
    }

    /// Start `config`: [`Command::Start`] with a typed error.
    pub fn start(&mut self, config: TrainConfig) -> Result<(), TrainError> {
        let trainer = Trainer::new(config, &self.device)?;
        self.begin(trainer);
        Ok(())
    }

    /// A session continuing the run saved in `bytes` (a snapshot or `lab train --save`
    /// file, format v3 at an evaluation point) on `device`, with `steps` total steps if given
    /// (else the saved config's; more steps stretch the learning-rate schedule from here on).
    /// The resumed run trains exactly as if it had not stopped. Files without optimizer state
    /// (v1, v2) give [`CheckpointError::NotResumable`].
    pub fn resume_from(
        bytes: &[u8],
        device: &Device,
        steps: Option<usize>,
    ) -> Result<Self, SessionError> {
        let loaded = checkpoint::load(bytes, &device.clone().autodiff())?;
        let (state, optimizer) = checkpoint::resume_parts(bytes)?;
        let mut config = loaded.meta.train.clone();
        if let Some(steps) = steps {
            config.steps = steps;
        }
        let trainer = Trainer::resumed(
            config,
            device,
            loaded.model,
            loaded.meta.steps_done,
            loaded.meta.history,
            &state,
            &optimizer,
        )?;
        let mut session = Self::new(device);
        session.note = loaded.meta.note;
        session.begin(trainer);
        Ok(session)
    }

    fn begin(&mut self, trainer: Trainer) {
        self.phase = if trainer.is_finished() {
            Phase::Finished(Outcome::Completed)
        } else {
            Phase::Running
        };
        self.trainer = Some(trainer);
        self.steps_taken = 0;
        self.timing = Timing::default();
        self.error = None;
    }

    /// Carry out `command`; what it produced (nothing is stepped here).
    pub async fn command(&mut self, command: Command) -> Vec<Event> {
        let step = self.step();
        match command {
            Command::Start(config) => match self.start(config) {
                Ok(()) => vec![self.started()],
                Err(e) => vec![Event::Failed(e.to_string())],
            },
            Command::Pause if self.phase == Phase::Running => {
                self.phase = Phase::Paused;
                vec![Event::Paused { step }]
            }
            Command::Resume if self.phase == Phase::Paused => {
                self.phase = Phase::Running;
                vec![Event::Resumed { step }]
            }
            Command::Stop if matches!(self.phase, Phase::Running | Phase::Paused) => {
                vec![self.finish(Outcome::Stopped)]
            }
            Command::Pause | Command::Resume | Command::Stop => Vec::new(),
            Command::Inspect(index) => match self.inspect(index).await {
                Ok(inspection) => vec![Event::Inspected(Box::new(inspection))],
                Err(e) => vec![Event::Failed(e.to_string())],
            },
            Command::Export => match self.export().await {
                Ok((bytes, resumable)) => vec![Event::Exported { bytes, resumable }],
                Err(e) => vec![Event::Failed(e.to_string())],
            },
        }
    }

    /// The event that announces the current run.
    pub fn started(&self) -> Event {
        Event::Started {
            step: self.step(),
            steps: self.config().map_or(0, |c| c.steps),
        }
    }

    fn finish(&mut self, outcome: Outcome) -> Event {
        self.phase = Phase::Finished(outcome);
        Event::Finished {
            step: self.step(),
            outcome,
        }
    }

    /// Take up to `max_steps` steps while running, until `out_of_time()` (asked after every
    /// step) says to yield, an evaluation point is reached (so that a snapshot can be taken
    /// before the weights move on) or the run ends. A page calls it with ~20 ms of budget
    /// and yields to the event loop between calls; a command (Pause, Stop) sent between two
    /// calls takes effect before the next step. The last event is [`Event::Progress`] when a
    /// step was taken, followed by [`Event::Finished`] when the run ended.
    pub async fn advance(
        &mut self,
        max_steps: usize,
        mut out_of_time: impl FnMut() -> bool,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        let mut taken = 0;
        let mut ended = None;
        while self.phase == Phase::Running && taken < max_steps {
            let Some(trainer) = self.trainer.as_mut() else {
                break;
            };
            if trainer.is_finished() {
                ended = Some(Outcome::Completed);
                break;
            }
            let t0 = (self.clock)();
            let stepped = trainer.step();
            let t1 = (self.clock)();
            self.timing.training += (t1 - t0) / 1000.0;
            if let Err(e) = stepped {
                ended = Some(self.fail(e, &mut events));
                break;
            }
            taken += 1;
            self.steps_taken += 1;
            if trainer.at_checkpoint() {
                let mut evaluated = trainer.checkpoint().await;
                if self.free_evaluation && evaluated.is_ok() {
                    evaluated = match trainer.record_free_accuracy().await {
                        Ok(Some(with_free)) => Ok(with_free),
                        Ok(None) => evaluated,
                        Err(e) => Err(e),
                    };
                }
                self.timing.evaluating += ((self.clock)() - t1) / 1000.0;
                match evaluated {
                    Ok(metrics) => {
                        events.push(Event::Evaluated(metrics));
                        events.push(Event::Checkpoint {
                            step: metrics.step,
                            resumable: self.sync_reads,
                        });
                    }
                    Err(TrainError::Diverged { step, loss, .. }) => {
                        // The one place that decides what a divergence does: back to the last
                        // good weights, and the run ends with them.
                        let restored = trainer.restore_last_good();
                        events.push(Event::Diverged {
                            step,
                            loss,
                            restored,
                        });
                        self.error = Some(TrainError::Diverged {
                            step,
                            loss,
                            restored,
                        });
                        ended = Some(Outcome::Diverged);
                    }
                    Err(e) => ended = Some(self.fail(e, &mut events)),
                }
                if ended.is_none() && self.trainer.as_ref().is_some_and(Trainer::is_finished) {
                    ended = Some(Outcome::Completed);
                }
                break;
            }
            if out_of_time() {
                break;
            }
        }
        if taken > 0 {
            events.push(self.progress());
        }
        if let Some(outcome) = ended {
            events.push(self.finish(outcome));
        }
        events
    }

    fn fail(&mut self, error: TrainError, events: &mut Vec<Event>) -> Outcome {
        events.push(Event::Failed(error.to_string()));
        self.error = Some(error);
        Outcome::Failed
    }

    fn progress(&self) -> Event {
        let seconds = self.timing.training + self.timing.evaluating;
        Event::Progress {
            step: self.step(),
            steps: self.config().map_or(0, |c| c.steps),
            steps_per_second: self.steps_taken as f64 / seconds.max(1e-6),
        }
    }

    /// Run to the end (native callers and grids): `on_step` is called after every
    /// step with the steps done and returns `false` to cancel ([`TrainError::Cancelled`]);
    /// every ~25 ms the loop yields to the event loop (in a page). A divergence or failure is
    /// the error that ended the run (the last good weights are kept).
    pub async fn run_to_end(
        &mut self,
        on_step: impl FnMut(usize) -> bool,
    ) -> Result<(), TrainError> {
        self.run_until(usize::MAX, on_step).await
    }

    /// [`Self::run_to_end`], pausing once `until` steps are done (the run stays running: call
    /// again to go on). Early stopping checks the model between two calls.
    pub async fn run_until(
        &mut self,
        until: usize,
        mut on_step: impl FnMut(usize) -> bool,
    ) -> Result<(), TrainError> {
        const SLICE_MS: f64 = 25.0;
        let mut slice = (self.clock)();
        while self.phase == Phase::Running && self.step() < until {
            self.advance(1, || false).await;
            if !on_step(self.step()) {
                self.finish(Outcome::Stopped);
                return Err(TrainError::Cancelled);
            }
            if (self.clock)() - slice >= SLICE_MS {
                yield_now().await;
                slice = (self.clock)();
            }
        }
        match (self.phase, self.error.clone()) {
            (Phase::Finished(Outcome::Diverged | Outcome::Failed), Some(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// Where the session stands.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The error that ended the run, if one did (a divergence included).
    pub fn error(&self) -> Option<&TrainError> {
        self.error.as_ref()
    }

    /// Steps the run has done (a resumed run counts those before it stopped).
    pub fn step(&self) -> usize {
        self.trainer.as_ref().map_or(0, Trainer::steps_done)
    }

    /// Time this session spent training and evaluating.
    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// The step engine, for reading (`None` before a run starts).
    pub fn trainer(&self) -> Option<&Trainer> {
        self.trainer.as_ref()
    }

    fn trainer_or_err(&self) -> Result<&Trainer, SessionError> {
        self.trainer.as_ref().ok_or(SessionError::NoRun)
    }

    /// The run's config.
    pub fn config(&self) -> Option<&TrainConfig> {
        self.trainer.as_ref().map(Trainer::config)
    }

    /// The run's task.
    pub fn task(&self) -> Option<&dyn Task> {
        self.trainer.as_ref().map(Trainer::task)
    }

    /// Metrics at every evaluation point so far.
    pub fn history(&self) -> &[Metrics] {
        self.trainer.as_ref().map_or(&[][..], Trainer::history)
    }

    /// Annotate the last evaluation's metrics (when it is of the current step); the updated
    /// metrics ([`Trainer::annotate`]).
    pub fn annotate(&mut self, f: impl FnOnce(&mut Metrics)) -> Option<Metrics> {
        self.trainer.as_mut().and_then(|t| t.annotate(f))
    }

    /// The current weights without autodiff, for inference.
    pub fn inference_model(&self) -> Option<Model> {
        self.trainer.as_ref().map(Trainer::inference_model)
    }

    /// The held-out examples the run is evaluated on (`held_out(task, seed, eval_examples)`).
    pub fn test_set(&self) -> &[Example] {
        self.trainer.as_ref().map_or(&[][..], Trainer::test_set)
    }

    /// A held-out example (index modulo the test set's size), e.g. the one the page shows.
    pub fn test_example(&self, index: usize) -> Option<&Example> {
        self.trainer.as_ref().map(|t| t.test_example(index))
    }

    /// Replace the weights (same architecture), e.g. to continue from other weights.
    pub fn map_model(&mut self, f: impl FnOnce(Model) -> Model) {
        if let Some(trainer) = self.trainer.as_mut() {
            trainer.map_model(f);
        }
    }

    /// Greedy generation on the held-out set with the current weights.
    pub async fn evaluate_greedy(&self) -> Result<GreedyReport, SessionError> {
        Ok(self.trainer_or_err()?.evaluate_greedy().await?)
    }

    /// Greedy generation and attention (or state) traces on held-out example `index`.
    pub async fn inspect(&self, index: usize) -> Result<Inspection, SessionError> {
        let trainer = self.trainer_or_err()?;
        let model = trainer.inference_model();
        Ok(inspect(
            &model,
            trainer.test_example(index),
            trainer.task(),
            &self.device,
        )
        .await?)
    }

    /// The current weights as checkpoint bytes; resumable (`true`) at an evaluation point on
    /// a device with synchronous reads, else weights and history only.
    pub async fn export(&self) -> Result<(Vec<u8>, bool), SessionError> {
        match self.snapshot().await {
            Ok(bytes) => Ok((bytes, true)),
            Err(SessionError::NotAtEvaluation { .. } | SessionError::NoSyncReads) => {
                let trainer = self.trainer_or_err()?;
                Ok((trainer.save(&self.note).await?, false))
            }
            Err(e) => Err(e),
        }
    }

    /// A resumable snapshot of the run (checkpoint format v3): weights, optimizer state,
    /// step, data-stream position and history. Only at an evaluation point (after
    /// [`Event::Checkpoint`], before the next step) and on a device with synchronous reads.
    pub async fn snapshot(&self) -> Result<Vec<u8>, SessionError> {
        let trainer = self.trainer_or_err()?;
        if !trainer.at_evaluation_point() {
            let last = trainer.history().last().map_or(0, |m| m.step);
            return Err(SessionError::NotAtEvaluation {
                step: trainer.steps_done(),
                since: trainer.steps_done().saturating_sub(last),
            });
        }
        if !self.sync_reads {
            return Err(SessionError::NoSyncReads);
        }
        let mut meta = checkpoint::meta_for(trainer.config())?;
        meta.steps_done = trainer.steps_done();
        meta.history = trainer.history().to_vec();
        meta.note = self.note.clone();
        meta.resume = Some(trainer.resume_state());
        // Read asynchronously: the same bytes, and no blocking read on any backend.
        let optimizer = trainer.optimizer_state_async().await?;
        Ok(checkpoint::save_resumable(&trainer.inference_model(), &meta, Some(&optimizer)).await?)
    }
}
