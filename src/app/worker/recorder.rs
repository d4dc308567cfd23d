//! The training worker's side of the runs table: one [`Recorder`] per run writes the run's
//! record when it starts, and the record with its latest checkpoint to IndexedDB at every
//! evaluation point (resumable where the
//! device allows) and once more when the run ends, and tells the page what it stored. A reload
//! or a crash therefore loses at most the steps since the last evaluation.
//!
//! Storage problems (no IndexedDB, quota exceeded) never stop training: the run goes on and
//! the page shows why it is not kept.

use super::sink::Sink;
use crate::app::runs::store::{RunStore, StoreError};
use crate::app::wire::protocol::{Report, RunNews};
use crate::runs::record::{RunId, RunRecord, RunStatus};
use crate::train::session::Session;
use crate::train::{BackendInfo, TrainConfig};

/// Milliseconds since the Unix epoch (the record's creation time; also its id).
fn epoch_ms() -> f64 {
    js_sys::Date::now()
}

/// Writes one run to the runs store as it trains.
pub struct Recorder {
    /// `None` when the store could not be opened (the page was told once).
    store: Option<RunStore>,
    record: RunRecord,
    /// `now_ms()` when this session of the run started, and the training time before it.
    session_start_ms: f64,
    elapsed_before_s: f64,
    sink: Sink,
}

impl Recorder {
    /// A record for a new run of `config` named `name` on `info`'s backend.
    pub async fn begin(config: &TrainConfig, name: String, info: &BackendInfo, sink: Sink) -> Self {
        let created = epoch_ms();
        let nonce = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        let record = RunRecord::start(
            RunId::new(created, nonce),
            name,
            created,
            config.clone(),
            info.name.clone(),
        );
        Self::with_record(record, sink).await
    }

    /// Continue `record` (a stored run being resumed): its training time keeps adding up.
    pub async fn resume(mut record: RunRecord, info: &BackendInfo, sink: Sink) -> Self {
        record.status = RunStatus::Running;
        record.message = None;
        record.backend = info.name.clone();
        Self::with_record(record, sink).await
    }

    async fn with_record(record: RunRecord, sink: Sink) -> Self {
        let store = match RunStore::open().await {
            Ok(store) => Some(store),
            Err(e) => {
                sink.send(Report::Run(RunNews::StorageProblem(format!(
                    "This run is not kept: {e}. Training goes on."
                ))));
                None
            }
        };
        // Listed from its first step: a run whose worker is ended before its first evaluation
        // (a Stop it could not answer, a crash) is still in the table, with why.
        if let Some(store) = &store {
            match store.put_run(&record).await {
                Ok(()) => sink.send(Report::Run(RunNews::Saved(Box::new(record.clone())))),
                Err(e) => sink.send(Report::Run(RunNews::StorageProblem(format!(
                    "“{}” was not saved: {e}",
                    record.name
                )))),
            }
        }
        Self {
            store,
            elapsed_before_s: record.elapsed_s,
            session_start_ms: crate::app::clock::now_ms(),
            record,
            sink,
        }
    }

    pub fn id(&self) -> &RunId {
        &self.record.id
    }

    /// Store the run as `session` has it now, with `status` (and why, for a failure): its
    /// checkpoint (resumable at an evaluation point on a device that allows it, else weights
    /// only), then tell the page. The user's name and notes for the run, if changed meanwhile, are kept.
    ///
    /// A run that ends between two evaluations (Stop) keeps its last resumable checkpoint
    /// rather than replacing it with weights that cannot be resumed: its record then says the
    /// step of that checkpoint, where a Resume continues. A failed run keeps its last stored
    /// checkpoint too (its device may be gone).
    /// The run's training time so far, over every session of it (seconds).
    pub fn elapsed_s(&self) -> f64 {
        self.elapsed_before_s
            + (crate::app::clock::now_ms() - self.session_start_ms).max(0.0) / 1000.0
    }

    pub async fn save(&mut self, session: &Session, status: RunStatus, message: Option<String>) {
        let elapsed_s = self.elapsed_s();
        let Some(store) = self.store.clone() else {
            // Not kept, but the page's table still shows the run while the tab lives.
            self.update(session, status, message, elapsed_s);
            self.record.resumable = false;
            return self
                .sink
                .send(Report::Run(RunNews::Saved(Box::new(self.record.clone()))));
        };
        if let Ok(Some(stored)) = store.get_run(&self.record.id).await {
            self.record.name = stored.name;
            self.record.notes = stored.notes;
        }
        let at_evaluation = session
            .trainer()
            .is_some_and(|trainer| trainer.at_evaluation_point());
        // A failed run (a lost device among others) is not read again: its last evaluation's
        // checkpoint stays.
        let keep_stored = status == RunStatus::Failed
            || (status != RunStatus::Running && self.record.resumable && !at_evaluation);
        let saved = if keep_stored {
            self.record.status = status;
            self.record.message = message;
            self.record.elapsed_s = elapsed_s;
            store.put_run(&self.record).await
        } else {
            let (bytes, resumable) = match session.export().await {
                Ok(exported) => exported,
                Err(e) => {
                    return self.sink.send(Report::Run(RunNews::StorageProblem(format!(
                        "Could not save this run: {e}"
                    ))));
                }
            };
            self.update(session, status, message, elapsed_s);
            self.record.resumable = resumable;
            store.put_checkpoint(&self.record, &bytes).await
        };
        match saved {
            Ok(()) => self
                .sink
                .send(Report::Run(RunNews::Saved(Box::new(self.record.clone())))),
            Err(e) => self.problem(&e),
        }
    }

    /// The record as `session` has it now.
    fn update(
        &mut self,
        session: &Session,
        status: RunStatus,
        message: Option<String>,
        elapsed_s: f64,
    ) {
        let record = &mut self.record;
        record.status = status;
        record.message = message;
        record.steps_done = session.step();
        record.history = session.history().to_vec();
        record.final_accuracy = record.history.last().map(|m| m.accuracy);
        record.elapsed_s = elapsed_s;
    }

    /// Tell the page why the run's latest state is not stored (a full quota says what to do).
    fn problem(&self, e: &StoreError) {
        self.sink.send(Report::Run(RunNews::StorageProblem(format!(
            "Step {} of “{}” was not saved: {e}",
            self.record.steps_done, self.record.name
        ))));
    }
}
