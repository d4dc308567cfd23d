//! Drives a training run from the page without freezing it: steps run in chunks of a few
//! milliseconds, and control returns to the event loop between chunks.

use std::cell::Cell;
use std::rc::Rc;

use yew::UseReducerDispatcher;

use std::cell::RefCell;

use burn::prelude::Device;

use super::state::{Action, AppState};
use crate::models::{AttentionMode, Model};
use crate::tasks::TaskRng;
use crate::tasks::{Example, TaskSpec};
use crate::train::checkpoint;
use crate::train::eval::greedy;
use crate::train::inspect::inspect;
use crate::train::trainer::TEST_STREAM;
use crate::train::yield_now::yield_now;
use crate::train::{BackendChoice, Metrics, TrainConfig, TrainError, Trainer, backend};

/// The model of the last run, kept so that it can be looked at again (e.g. in another
/// attention mode) without training anew.
pub struct Trained {
    pub model: Model,
    pub example: Example,
    pub task: TaskSpec,
    pub device: Device,
    /// The run's config (with the trained attention mode), for exporting.
    pub config: TrainConfig,
    pub history: Vec<Metrics>,
    pub steps_done: usize,
    /// Where the model came from: "trained in this tab", a gallery name or a file name.
    pub source: String,
}

pub type TrainedSlot = Rc<RefCell<Option<Trained>>>;

/// Longest stretch of work between two yields to the event loop.
const CHUNK_MS: f64 = 25.0;
/// Shortest interval between two progress updates (each re-renders the page).
const PROGRESS_MS: f64 = 250.0;

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// A `performance.mark` so that long tasks can be attributed to a phase of the run (the e2e
/// test prints them next to the long tasks with `E2E_VERBOSE=1`).
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Start a run in the background; `cancel` stops it at the next chunk boundary.
pub fn spawn(
    config: TrainConfig,
    choice: BackendChoice,
    dispatch: UseReducerDispatcher<AppState>,
    cancel: Rc<Cell<bool>>,
    trained: TrainedSlot,
) {
    // The previous model is released before the new one is built.
    trained.borrow_mut().take();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(message) = run(config, choice, &dispatch, &cancel, &trained).await {
            dispatch.dispatch(Action::Failed(message));
        }
    });
}

async fn run(
    config: TrainConfig,
    choice: BackendChoice,
    dispatch: &UseReducerDispatcher<AppState>,
    cancel: &Cell<bool>,
    trained: &TrainedSlot,
) -> Result<(), String> {
    mark("run:start");
    config.validate().map_err(|e| e.to_string())?;
    let (device, info) = backend::select(choice).await;
    mark("run:backend-selected");
    let mut trainer = Trainer::new(config.clone(), &device).map_err(|e| e.to_string())?;
    mark("run:trainer-ready");
    dispatch.dispatch(Action::Started {
        info,
        steps: config.steps,
    });
    let started = now_ms();
    let mut last_progress = f64::NEG_INFINITY;
    let mut stopped = false;
    let mut diverged: Option<String> = None;
    let mut evaluated = None;
    while !trainer.is_finished() && !stopped {
        let chunk_start = now_ms();
        while !trainer.is_finished() && now_ms() - chunk_start < CHUNK_MS {
            trainer.step();
            if trainer.at_checkpoint() {
                mark("run:checkpoint");
                match trainer.checkpoint().await {
                    Ok(metrics) => evaluated = Some(metrics),
                    // The trainer is back on its last good weights: stop, keep and show them.
                    Err(e @ TrainError::Diverged { .. }) => diverged = Some(e.to_string()),
                    Err(e) => return Err(e.to_string()),
                }
                mark("run:checkpoint-done");
                break;
            }
        }
        // Re-rendering the page costs more than a small training step: report progress a few
        // times a second, not after every chunk, and only after a yield, so that the render
        // runs in a task of its own rather than on top of the steps.
        yield_now().await;
        if let Some(metrics) = evaluated.take() {
            dispatch.dispatch(Action::Checkpoint(metrics));
        }
        if now_ms() - last_progress >= PROGRESS_MS || trainer.is_finished() {
            last_progress = now_ms();
            let seconds = (now_ms() - started) / 1000.0;
            dispatch.dispatch(Action::Progress {
                step: trainer.steps_done(),
                steps_per_second: trainer.steps_done() as f64 / seconds.max(1e-3),
            });
        }
        yield_now().await;
        stopped = cancel.get() || diverged.is_some();
    }
    mark("run:steps-done");
    // A stopped run is still inspected: the user sees what the model learned so far.
    dispatch.dispatch(if stopped {
        Action::Stopped {
            step: trainer.steps_done(),
        }
    } else {
        Action::Inspecting
    });
    yield_now().await;
    mark("run:greedy");
    let greedy = trainer.evaluate_greedy().await.map_err(|e| e.to_string())?;
    dispatch.dispatch(Action::Greedy(greedy));
    let model = trainer.inference_model();
    let example = trainer.test_example(0).clone();
    mark("run:inspect");
    let inspection = inspect(&model, &example, trainer.task(), &device)
        .await
        .map_err(|e| e.to_string())?;
    mark("run:inspected");
    dispatch.dispatch(Action::Inspected(Rc::new(inspection)));
    mark("run:dispatched");
    let history = trainer.history().to_vec();
    let steps_done = trainer.steps_done();
    drop(trainer);
    *trained.borrow_mut() = Some(Trained {
        model,
        example,
        task: config.task.clone(),
        device,
        config,
        history,
        steps_done,
        source: "trained in this tab".into(),
    });
    mark("run:dropped");
    match diverged {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

/// Look at the last trained model again with another attention mode (same weights).
pub fn reinspect(
    mode: AttentionMode,
    scale: f32,
    trained: TrainedSlot,
    dispatch: UseReducerDispatcher<AppState>,
) {
    let Some((model, example, spec, device)) = trained.borrow().as_ref().map(|t| {
        (
            t.model.clone().with_mode(mode, scale),
            t.example.clone(),
            t.task.clone(),
            t.device.clone(),
        )
    }) else {
        return;
    };
    let task = match spec.build() {
        Ok(task) => task,
        Err(e) => return dispatch.dispatch(Action::Failed(e.to_string())),
    };
    dispatch.dispatch(Action::SetInferenceMode(mode));
    wasm_bindgen_futures::spawn_local(async move {
        match inspect(&model, &example, task.as_ref(), &device).await {
            Ok(inspection) => dispatch.dispatch(Action::Inspected(Rc::new(inspection))),
            Err(e) => dispatch.dispatch(Action::Failed(e.to_string())),
        }
    });
}

/// Load a checkpoint (from the gallery or a file) onto the selected backend, then show it like a
/// finished run. A bad file is reported in the models panel and the current model stays.
pub fn load_checkpoint(
    bytes: Vec<u8>,
    source: String,
    choice: BackendChoice,
    dispatch: UseReducerDispatcher<AppState>,
    trained: TrainedSlot,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let (device, info) = backend::select(choice).await;
        let loaded = match checkpoint::load(&bytes, &device) {
            Ok(loaded) => loaded,
            Err(e) => {
                return dispatch.dispatch(Action::ModelNotice(Err(format!(
                    "Could not load {source}: {e}. The current model is unchanged."
                ))));
            }
        };
        let meta = loaded.meta;
        let task = match meta.train.task() {
            Ok(task) => task,
            Err(e) => return dispatch.dispatch(Action::ModelNotice(Err(e.to_string()))),
        };
        // The trainer's first held-out example: the one a run in the tab would show.
        let example = task.generate(&mut TaskRng::new(meta.train.seed, TEST_STREAM));
        dispatch.dispatch(Action::Loaded {
            config: meta.train.clone(),
            history: meta.history.clone(),
            steps: meta.steps_done,
            info,
            message: format!(
                "Loaded {source}: {} size {}, {}, {} steps trained.",
                meta.train.task.task.name(),
                meta.train.task.size,
                meta.train.architecture.title(),
                meta.steps_done
            ),
        });
        yield_now().await;
        let mut rng = TaskRng::new(meta.train.seed, TEST_STREAM);
        let test_set: Vec<_> = (0..meta.train.eval_examples)
            .map(|_| task.generate(&mut rng))
            .collect();
        match greedy(&loaded.model, &test_set, &device).await {
            Ok(report) => dispatch.dispatch(Action::Greedy(report)),
            Err(e) => return dispatch.dispatch(Action::Failed(e.to_string())),
        }
        match inspect(&loaded.model, &example, task.as_ref(), &device).await {
            Ok(inspection) => dispatch.dispatch(Action::Inspected(Rc::new(inspection))),
            Err(e) => return dispatch.dispatch(Action::Failed(e.to_string())),
        }
        *trained.borrow_mut() = Some(Trained {
            model: loaded.model,
            example,
            task: meta.train.task.clone(),
            device,
            config: meta.train,
            history: meta.history,
            steps_done: meta.steps_done,
            source,
        });
    });
}

/// What an export produces: the checkpoint and its metadata as pretty JSON, with file names.
pub struct Exported {
    pub stem: String,
    pub safetensors: Vec<u8>,
    pub json: String,
}

/// Write the kept model as a checkpoint (async reads: works on WebGPU too).
pub async fn export(trained: &TrainedSlot) -> Result<Exported, String> {
    let (model, mut meta) = {
        let slot = trained.borrow();
        let t = slot
            .as_ref()
            .ok_or("Train or load a model first: there is nothing to export yet.")?;
        let mut meta = checkpoint::meta_for(&t.config).map_err(|e| e.to_string())?;
        meta.steps_done = t.steps_done;
        meta.history = t.history.clone();
        meta.note = format!("exported from the Expressivity Lab page ({})", t.source);
        (t.model.clone(), meta)
    };
    let bytes = checkpoint::save(&model, &meta)
        .await
        .map_err(|e| e.to_string())?;
    meta = checkpoint::read_meta(&bytes).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
    Ok(Exported {
        stem: format!(
            "{}-{}-{}",
            meta.train.task.task.name(),
            meta.train.task.size,
            meta.train.architecture.name()
        ),
        safetensors: bytes,
        json,
    })
}
