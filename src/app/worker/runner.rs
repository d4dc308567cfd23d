//! Drives training, loading, re-inspection and export inside the training worker
//! (`app::worker`): it yields to the worker's event loop after every step, so that a Stop
//! takes effect within one step. The runner keeps the model in its [`ModelStore`] and tells the
//! page only what to show (a [`ModelHandle`] among it), as [`Report`]s through its [`Sink`].

use crate::app::clock::{mark, now_ms};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::model_store::{ModelHandle, ModelStore, Trained};
use super::recorder::Recorder;
use super::sink::Sink;
use crate::app::wire::protocol::{Activity, ExampleChoice, ExportKind, ModelNews, Report, RunNews};
use crate::instruments::agreement::agreement;
use crate::models::{AttentionMode, SequenceModel};
use crate::runs::record::{RunRecord, RunStatus};
use crate::tasks::{Example, Task};
use crate::train::Inspection;
use crate::train::checkpoint::{self, Checkpoint};
use crate::train::eval::greedy_with_misses;
use crate::train::held_out::held_out;
use crate::train::inspect::inspect;
use crate::train::session::{Command, Event, Outcome, Session};
use crate::train::yield_now::yield_now;
use crate::train::{BackendChoice, BackendInfo, TrainConfig, backend};
use burn::prelude::Device;

/// How [`TrainError::Device`] reads: a read from the device failed.
const DEVICE_READ_FAILED: &str = "reading from the device failed";

/// Shortest interval between two progress updates (each re-renders the page).
const PROGRESS_MS: f64 = 250.0;

/// The stop button of a background job: each job gets a fresh flag, and stopping sets the
/// current one (a finished job's flag is never reused).
#[derive(Clone, Default)]
pub(crate) struct StopSwitch(Rc<RefCell<Rc<Cell<bool>>>>);

impl PartialEq for StopSwitch {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl StopSwitch {
    /// A fresh flag for a new job.
    pub(crate) fn renew(&self) -> Rc<Cell<bool>> {
        let flag = Rc::new(Cell::new(false));
        *self.0.borrow_mut() = flag.clone();
        flag
    }

    pub(crate) fn stop(&self) {
        self.0.borrow().set(true);
    }
}

/// Runs the page's model jobs and keeps its model. Cheap to clone; clones share the model store
/// (and compare equal).
#[derive(Clone, PartialEq)]
pub struct Runner {
    sink: Sink,
    store: ModelStore,
    stop: StopSwitch,
}

impl Runner {
    pub fn new(sink: Sink) -> Self {
        Self {
            sink,
            store: ModelStore::default(),
            stop: StopSwitch::default(),
        }
    }

    pub(crate) fn send(&self, report: Report) {
        self.sink.send(report);
    }

    /// Read the kept model, if `handle` is still the kept one.
    pub(crate) fn kept<R>(&self, handle: ModelHandle, f: impl FnOnce(&Trained) -> R) -> Option<R> {
        self.store.with(handle, f)
    }

    /// Start a training run in the background; [`Runner::stop`] ends it at the next chunk.
    pub fn train(&self, config: TrainConfig, name: String, choice: BackendChoice) {
        // The previous model is released before the new one is built.
        self.store.release();
        let stop = self.stop.renew();
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let on_webgpu = Cell::new(false);
            if let Err(message) = this.run(config, name, choice, &stop, &on_webgpu).await {
                this.send(this.failure(message, on_webgpu.get()));
            }
        });
    }

    /// Stop the run in progress (it is still inspected and kept).
    pub fn stop(&self) {
        self.stop.stop();
    }

    async fn run(
        &self,
        config: TrainConfig,
        name: String,
        choice: BackendChoice,
        stop: &Cell<bool>,
        on_webgpu: &Cell<bool>,
    ) -> Result<(), String> {
        mark("run:start");
        let (device, info) = backend::select(choice).await;
        on_webgpu.set(info.is_webgpu);
        mark("run:backend-selected");
        // Every read of a snapshot is asynchronous (our AdamW's state included): runs on WebGPU
        // are saved resumable too.
        let mut session = Session::new(&device)
            .with_clock(Box::new(now_ms))
            .with_free_evaluation();
        session.start(config.clone()).map_err(|e| e.to_string())?;
        mark("run:trainer-ready");
        let mut recorder = Recorder::begin(&config, name, &info, self.sink.clone()).await;
        self.drive(session, info, device, stop, &mut recorder).await
    }

    /// Continue stored run `run` from its checkpoint `bytes` to the steps of its config: the
    /// same result as if it had not stopped. It keeps its place in the runs table.
    pub fn resume(&self, run: RunRecord, bytes: Vec<u8>, choice: BackendChoice) {
        self.store.release();
        let stop = self.stop.renew();
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let on_webgpu = Cell::new(false);
            if let Err(message) = this.resumed(run, &bytes, choice, &stop, &on_webgpu).await {
                this.send(this.failure(message, on_webgpu.get()));
            }
        });
    }

    async fn resumed(
        &self,
        run: RunRecord,
        bytes: &[u8],
        choice: BackendChoice,
        stop: &Cell<bool>,
        on_webgpu: &Cell<bool>,
    ) -> Result<(), String> {
        let (device, info) = backend::select(choice).await;
        on_webgpu.set(info.is_webgpu);
        let session = Session::resume_from(bytes, &device, Some(run.config.steps))
            .map_err(|e| format!("Could not resume “{}”: {e}", run.name))?
            .with_clock(Box::new(now_ms))
            .with_free_evaluation();
        let mut recorder = Recorder::resume(run, &info, self.sink.clone()).await;
        self.drive(session, info, device, stop, &mut recorder).await
    }

    /// A run's error as the page hears it: a failed read on WebGPU is a lost device
    /// (destroyed, reset by the driver, out of memory), and the page moves later runs to the
    /// CPU.
    fn failure(&self, message: String, on_webgpu: bool) -> Report {
        if on_webgpu && message.starts_with(DEVICE_READ_FAILED) {
            Report::Run(RunNews::DeviceLost(message))
        } else {
            Report::Run(RunNews::Failed(message))
        }
    }

    /// Step `session` to its end, one step between two yields to the worker's event loop (so
    /// that a Stop posted meanwhile is handled before the next step), reporting progress, each
    /// evaluation and a look at the model there; then evaluate, inspect and keep the model.
    async fn drive(
        &self,
        mut session: Session,
        info: BackendInfo,
        device: Device,
        stop: &Cell<bool>,
        recorder: &mut Recorder,
    ) -> Result<(), String> {
        let config = session.config().cloned().ok_or("the run did not start")?;
        let info_is_webgpu = info.is_webgpu;
        self.send(Report::Run(RunNews::Started {
            info,
            config: Box::new(config.clone()),
            steps: config.steps,
            step: session.step(),
            history: session.history().to_vec(),
        }));
        let (outcome, failure) = self
            .steps(
                &mut session,
                &config,
                &device,
                info_is_webgpu,
                stop,
                recorder,
            )
            .await?;
        mark("run:steps-done");
        let status = match outcome {
            Some(Outcome::Completed) => RunStatus::Finished,
            Some(Outcome::Stopped) => RunStatus::Stopped,
            Some(Outcome::Diverged) => RunStatus::Diverged,
            _ => RunStatus::Failed,
        };
        let why = failure
            .clone()
            .or_else(|| session.error().map(ToString::to_string));
        match outcome {
            Some(Outcome::Failed) => {
                let message = failure.unwrap_or_else(|| "the run failed".into());
                // The page hears first; the record is stored after (a lost device cannot give
                // its weights back, but the record's last evaluation stays).
                self.send(self.failure(message.clone(), info_is_webgpu));
                recorder.save(&session, status, why).await;
                return Ok(());
            }
            // A stopped run is still inspected: the user sees what the model learned so far.
            Some(Outcome::Stopped) => self.send(Report::Run(RunNews::Stopped {
                step: session.step(),
            })),
            _ => self.send(Report::Model(ModelNews::Inspecting)),
        }
        recorder.save(&session, status, why).await;
        self.keep(session, &config, device).await
    }

    /// The training steps of `session` until it ends (finished, stopped, diverged or failed):
    /// progress at most every [`PROGRESS_MS`], each evaluation and a look at the model there
    /// (stored, so that a reload loses at most the steps since). Returns how it ended and the
    /// failure the session reported, if any.
    async fn steps(
        &self,
        session: &mut Session,
        config: &TrainConfig,
        device: &Device,
        info_is_webgpu: bool,
        stop: &Cell<bool>,
        recorder: &mut Recorder,
    ) -> Result<(Option<Outcome>, Option<String>), String> {
        let mut last_progress = f64::NEG_INFINITY;
        let mut failure: Option<String> = None;
        let mut outcome = None;
        // An activity announced: the next progress report goes out at once (it ends it).
        let mut announced = false;
        let mut first_step = true;
        while outcome.is_none() {
            let events = if stop.get() {
                session.command(Command::Stop).await
            } else {
                let next = session.step() + 1;
                if next.is_multiple_of(config.eval_every) || next >= config.steps {
                    self.send(Report::Run(RunNews::Activity(Activity::Evaluating {
                        step: next,
                    })));
                    announced = true;
                } else if first_step && info_is_webgpu {
                    self.send(Report::Run(RunNews::Activity(Activity::CompilingShaders)));
                    announced = true;
                }
                first_step = false;
                session.advance(1, || false).await
            };
            for event in events {
                match event {
                    Event::Evaluated(metrics) => {
                        let elapsed = recorder.elapsed_s() as f32;
                        let metrics = session
                            .annotate(|m| m.elapsed_s = Some(elapsed))
                            .unwrap_or(metrics);
                        let metrics = with_agreement(session, config, metrics, device).await;
                        self.send(Report::Run(RunNews::Checkpoint(metrics)));
                    }
                    Event::Checkpoint { .. } => {
                        // The attention map and the CoT player follow training: the model as
                        // it is now, on the held-out example the finished run will show.
                        mark("run:checkpoint");
                        let inspection = session.inspect(0).await.map_err(|e| e.to_string())?;
                        self.send(Report::Run(RunNews::Snapshot(Rc::new(inspection))));
                        // Stored before the next step: a reload loses at most the steps
                        // since this evaluation.
                        recorder.save(session, RunStatus::Running, None).await;
                    }
                    Event::Progress {
                        step,
                        steps,
                        steps_per_second,
                    } if announced || now_ms() - last_progress >= PROGRESS_MS || step == steps => {
                        last_progress = now_ms();
                        announced = false;
                        self.send(Report::Run(RunNews::Progress {
                            step,
                            steps_per_second,
                        }));
                    }
                    Event::Failed(message) => failure = Some(message),
                    Event::Finished { outcome: o, .. } => outcome = Some(o),
                    _ => {}
                }
            }
            yield_now().await;
        }
        Ok((outcome, failure))
    }

    /// The run's model after its steps (the weights of its last finite evaluation): evaluate
    /// it by free generation, score its heads, inspect it, keep it; then say why the run ended
    /// early, if it did.
    async fn keep(
        &self,
        session: Session,
        config: &TrainConfig,
        device: Device,
    ) -> Result<(), String> {
        let diverged = session.error().map(ToString::to_string);
        yield_now().await;
        mark("run:greedy");
        let model = session.inference_model().ok_or("the run has no model")?;
        let (report, misses, cells) = greedy_with_misses(&model, session.test_set(), &device)
            .await
            .map_err(|e| e.to_string())?;
        self.send(Report::Model(ModelNews::Greedy {
            mode: config.model.attention,
            report,
            misses: Rc::new(misses),
            cells: Rc::new(cells),
        }));
        self.send_agreement(
            &model,
            config,
            config.model.attention,
            session.test_set(),
            &device,
        )
        .await;
        mark("run:inspect");
        let mut inspection = session.inspect(0).await.map_err(|e| e.to_string())?;
        inspection.example = Some(0);
        mark("run:inspected");
        // At an evaluation point (the last step is one) on a device with synchronous reads:
        // the run can be continued later.
        let resumable = session.snapshot().await.ok();
        let mut meta = checkpoint::meta_for(config).map_err(|e| e.to_string())?;
        meta.steps_done = session.step();
        meta.history = session.history().to_vec();
        let example = session
            .test_example(0)
            .cloned()
            .ok_or("the run has no held-out example")?;
        drop(session);
        let handle = self.store.keep(Trained {
            checkpoint: Checkpoint { meta, model },
            example,
            example_index: Some(0),
            device,
            source: "trained in this tab".into(),
            resumable,
        });
        self.send(Report::Model(ModelNews::Kept(handle)));
        self.send(Report::Model(ModelNews::Inspected(Rc::new(inspection))));
        mark("run:dispatched");
        match diverged {
            Some(message) => Err(message),
            None => Ok(()),
        }
    }

    /// Score the heads of `model` (under `mode`) against the task's algorithm on the first
    /// held-out examples and tell the page; nothing for a model without attention.
    async fn send_agreement<M: SequenceModel>(
        &self,
        model: &M,
        train: &TrainConfig,
        mode: AttentionMode,
        examples: &[Example],
        device: &Device,
    ) {
        if !train.model.architecture.has_attention() {
            return;
        }
        yield_now().await;
        let n = examples.len().min(AGREEMENT_EXAMPLES);
        let result = agreement(model, &examples[..n], device)
            .await
            .map_err(|e| e.to_string());
        self.send(Report::Model(ModelNews::Agreement { mode, result }));
    }

    /// Look at the kept model again with another attention mode (same weights), and evaluate
    /// it again on its held-out set under that mode.
    pub fn reinspect(&self, handle: ModelHandle, mode: AttentionMode) {
        let Some((model, (example, index), train, device)) = self.store.with(handle, |t| {
            (
                t.checkpoint
                    .model
                    .clone()
                    .with_mode(mode, t.checkpoint.meta.train.model.softmax_scale),
                (t.example.clone(), t.example_index),
                t.checkpoint.meta.train.clone(),
                t.device.clone(),
            )
        }) else {
            return;
        };
        let task = match train.task() {
            Ok(task) => task,
            Err(e) => return self.send(Report::Run(RunNews::Failed(e.to_string()))),
        };
        self.send(Report::Model(ModelNews::SetInferenceMode(mode)));
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match inspect(&model, &example, task.as_ref(), &device).await {
                Ok(mut inspection) => {
                    inspection.example = index;
                    this.send(Report::Model(ModelNews::Inspected(Rc::new(inspection))));
                }
                Err(e) => return this.send(Report::Run(RunNews::Failed(e.to_string()))),
            }
            yield_now().await;
            let examples = test_set(&train, task.as_ref());
            match greedy_with_misses(&model, &examples, &device).await {
                Ok((report, misses, cells)) => this.send(Report::Model(ModelNews::Greedy {
                    mode,
                    report,
                    misses: Rc::new(misses),
                    cells: Rc::new(cells),
                })),
                Err(e) => return this.send(Report::Run(RunNews::Failed(e.to_string()))),
            }
            this.send_agreement(&model, &train, mode, &examples, &device)
                .await;
        });
    }

    /// Show the kept model under `mode` on another example: a held-out one by index, or a
    /// prompt the user typed (read by the task's own parser, as `lab predict --input`). A
    /// prompt it cannot take is refused with the reason; the shown example stays.
    pub fn inspect_example(&self, handle: ModelHandle, mode: AttentionMode, choice: ExampleChoice) {
        let Some((model, meta, device)) = self.store.with(handle, |t| {
            (
                t.checkpoint
                    .model
                    .clone()
                    .with_mode(mode, t.checkpoint.meta.train.model.softmax_scale),
                t.checkpoint.meta.clone(),
                t.device.clone(),
            )
        }) else {
            return self.send(Report::Model(ModelNews::PromptRefused(
                "the model is no longer kept (train or load one first)".into(),
            )));
        };
        let task = match meta.train.task() {
            Ok(task) => task,
            Err(e) => return self.send(Report::Model(ModelNews::PromptRefused(e.to_string()))),
        };
        let chosen = match choice {
            ExampleChoice::HeldOut(i) => test_set(&meta.train, task.as_ref())
                .get(i)
                .cloned()
                .map(|example| (example, Some(i)))
                .ok_or_else(|| format!("there is no held-out example {}", i + 1)),
            ExampleChoice::Prompt(text) => {
                typed_example(&meta, task.as_ref(), &model, &text).map(|example| (example, None))
            }
        };
        let (example, index) = match chosen {
            Ok(chosen) => chosen,
            Err(why) => return self.send(Report::Model(ModelNews::PromptRefused(why))),
        };
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match inspect(&model, &example, task.as_ref(), &device).await {
                Ok(inspection) => {
                    this.store.show(handle, example, index);
                    this.send(Report::Model(ModelNews::Inspected(Rc::new(Inspection {
                        example: index,
                        ..inspection
                    }))));
                }
                Err(e) => this.send(Report::Model(ModelNews::PromptRefused(e.to_string()))),
            }
        });
    }

    /// Load a checkpoint's bytes (read by the page from the gallery or a file) onto the selected
    /// backend, then show it like a finished run. A bad file is reported in the models panel and
    /// the current model stays.
    pub fn load(&self, bytes: Vec<u8>, source: String, choice: BackendChoice) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            this.show_checkpoint(&bytes, source, choice).await
        });
    }

    /// Build claim construction `name` at `size` (hand-set weights) and load it.
    pub fn construct(&self, name: String, size: usize, choice: BackendChoice) {
        let source = format!("construction “{name}” (N = {size})");
        let built = crate::claims::construct::find(&name)
            .and_then(|c| c.build(size))
            .map(|built| built.bytes);
        match built {
            Ok(bytes) => self.load(bytes, source, choice),
            Err(e) => self.send(Report::Model(ModelNews::Notice(Err(e.to_string())))),
        }
    }

    async fn show_checkpoint(&self, bytes: &[u8], source: String, choice: BackendChoice) {
        let (device, info) = backend::select(choice).await;
        let loaded = match checkpoint::load(bytes, &device) {
            Ok(loaded) => loaded,
            Err(e) => {
                return self.send(Report::Model(ModelNews::Notice(Err(format!(
                    "Could not load {source}: {e}. The current model is unchanged."
                )))));
            }
        };
        let train = &loaded.meta.train;
        let task = match train.task() {
            Ok(task) => task,
            Err(e) => return self.send(Report::Model(ModelNews::Notice(Err(e.to_string())))),
        };
        let test_set = test_set(train, task.as_ref());
        let example = test_set[0].clone();
        let origin = match &loaded.meta.constructed_by {
            Some(p) => format!("weights set by hand (construction `{}`)", p.construction),
            None => format!("{} steps trained", loaded.meta.steps_done),
        };
        let mut message = format!(
            "Loaded {source}: {} size {}, {}, {origin}.",
            train.task.task.name(),
            train.task.size,
            train.model.architecture.title(),
        );
        if let Some(note) = checkpoint::format_notice(bytes) {
            message.push_str(&format!(" Note: {note}."));
        }
        self.send(Report::Model(ModelNews::Loaded {
            meta: Box::new(loaded.meta.clone()),
            info,
            message,
        }));
        yield_now().await;
        match greedy_with_misses(&loaded.model, &test_set, &device).await {
            Ok((report, misses, cells)) => self.send(Report::Model(ModelNews::Greedy {
                mode: train.model.attention,
                report,
                misses: Rc::new(misses),
                cells: Rc::new(cells),
            })),
            Err(e) => return self.send(Report::Run(RunNews::Failed(e.to_string()))),
        }
        self.send_agreement(
            &loaded.model,
            train,
            train.model.attention,
            &test_set,
            &device,
        )
        .await;
        let inspection = match inspect(&loaded.model, &example, task.as_ref(), &device).await {
            Ok(inspection) => Inspection {
                example: Some(0),
                ..inspection
            },
            Err(e) => return self.send(Report::Run(RunNews::Failed(e.to_string()))),
        };
        let resumable = loaded.meta.resume.is_some().then(|| bytes.to_vec());
        let handle = self.store.keep(Trained {
            checkpoint: loaded,
            example,
            example_index: Some(0),
            device,
            source,
            resumable,
        });
        self.send(Report::Model(ModelNews::Kept(handle)));
        self.send(Report::Model(ModelNews::Inspected(Rc::new(inspection))));
    }

    /// Write the kept model as a checkpoint (or its metadata as JSON) and send it to the page
    /// to download; a problem is reported in the models panel.
    pub fn export(&self, handle: Option<ModelHandle>, kind: ExportKind) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match this.exported(handle).await {
                Ok(out) => {
                    let (report, bytes) = out.download(kind);
                    this.sink.send_with_bytes(report, bytes);
                }
                Err(e) => this.send(Report::Model(ModelNews::Notice(Err(e)))),
            }
        });
    }

    /// The kept model as checkpoint bytes (async reads: works on WebGPU too).
    async fn exported(&self, handle: Option<ModelHandle>) -> Result<Exported, String> {
        let (model, mut meta, resumable) = handle
            .and_then(|handle| {
                self.store.with(handle, |t| {
                    let mut meta = t.checkpoint.meta.clone();
                    meta.note = format!("exported from the Expressivity Lab page ({})", t.source);
                    (t.checkpoint.model.clone(), meta, t.resumable.clone())
                })
            })
            .ok_or("Train or load a model first: there is nothing to export yet.")?;
        // A run's snapshot exports as it is: `lab train --resume` continues it natively.
        let bytes = match resumable {
            Some(bytes) => bytes,
            None => checkpoint::save(&model, &meta)
                .await
                .map_err(|e| e.to_string())?,
        };
        meta = checkpoint::read_meta(&bytes).map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
        Ok(Exported {
            stem: format!(
                "{}-{}-{}",
                meta.train.task.task.name(),
                meta.train.task.size,
                meta.train.model.architecture.name()
            ),
            safetensors: bytes,
            json,
        })
    }
}

/// The held-out set of a run of `train` (never empty): the trainer's, so its first example is
/// the one a run in the tab shows and its accuracy is the one a run reports.
/// The example of a typed prompt: the task's solver reads and checks it (the reason in the
/// task's words when it is malformed), and it must fit the model.
pub(crate) fn typed_example(
    meta: &checkpoint::CheckpointMeta,
    task: &dyn Task,
    model: &crate::models::Model,
    text: &str,
) -> Result<Example, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("type a prompt first".into());
    }
    let example = task
        .solve_text(text)
        .map_err(|e| format!("not a {} prompt: {e}", task.kind().name()))?;
    crate::claims::construct::check_prompt(meta, task, example.prompt_len)?;
    let context = model.context();
    if example.len() > context {
        return Err(format!(
            "the prompt and its answer take {} tokens; this model reads at most {context}",
            example.len()
        ));
    }
    Ok(example)
}

/// Held-out examples the agreement curve scores at each evaluation of a run.
const CURVE_AGREEMENT_EXAMPLES: usize = 32;

/// `metrics` with the best head's agreement with the algorithm now (attention models; recorded
/// in the session's history, so the run's record keeps it). A model it cannot score (a task
/// whose every position reads the whole prefix) gets none.
async fn with_agreement(
    session: &mut Session,
    config: &TrainConfig,
    metrics: crate::train::Metrics,
    device: &Device,
) -> crate::train::Metrics {
    if !config.model.architecture.has_attention() {
        return metrics;
    }
    let Some(model) = session.inference_model() else {
        return metrics;
    };
    let held = session.test_set();
    mark("run:agreement");
    let point = match agreement(
        &model,
        &held[..held.len().min(CURVE_AGREEMENT_EXAMPLES)],
        device,
    )
    .await
    {
        Ok(table) => table.best().map(|b| crate::train::AgreementPoint {
            layer: b.layer,
            head: b.head,
            mass: b.mass.estimate as f32,
            chance: table.chance as f32,
        }),
        Err(_) => None,
    };
    point
        .and_then(|p| session.annotate(|m| m.agreement = Some(p)))
        .unwrap_or(metrics)
}

/// Held-out examples the agreement grid scores: enough for intervals of a few points, few
/// enough that a software adapter answers within seconds.
pub(crate) const AGREEMENT_EXAMPLES: usize = 64;

pub(crate) fn test_set(train: &TrainConfig, task: &dyn Task) -> Vec<Example> {
    held_out(task, train.seed, train.eval_examples.max(1))
}

/// What an export produces: the checkpoint and its metadata as pretty JSON, with a file stem.
struct Exported {
    stem: String,
    safetensors: Vec<u8>,
    json: String,
}

impl Exported {
    /// The page's download of one of the files: the report naming it and its bytes.
    fn download(self, kind: ExportKind) -> (Report, Vec<u8>) {
        let (name, mime, bytes) = match kind {
            ExportKind::Safetensors => (
                format!("{}.safetensors", self.stem),
                "application/octet-stream",
                self.safetensors,
            ),
            ExportKind::Json => (
                format!("{}.json", self.stem),
                "application/json",
                self.json.into_bytes(),
            ),
        };
        let message = format!("Exported {name} ({} bytes).", bytes.len());
        let report = Report::Model(ModelNews::Download {
            name,
            mime: mime.into(),
            message,
        });
        (report, bytes)
    }
}
