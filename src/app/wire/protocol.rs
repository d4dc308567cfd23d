//! What the page and its training worker say to each other: typed requests one way, typed
//! reports the other (plain Rust: the page's reducer, tested natively, takes them). How they
//! travel in a message is [`super::envelope`].

use std::rc::Rc;

use serde::{Deserialize, Serialize};

pub use super::grid_news::{GridJob, GridNews, GridOf, GridResult, GridStatus, GridUpdate};
pub use super::shared;

pub use super::model_handle::ModelHandle;
use crate::instruments::ablation::Ablation;
use crate::instruments::agreement::Agreement;
use crate::instruments::length::LengthCurve;
use crate::instruments::lens::LogitLens;
use crate::instruments::patching::Patching;
use crate::instruments::probe::Probes;
use crate::models::AttentionMode;
use crate::runs::record::RunRecord;
use crate::train::checkpoint::CheckpointMeta;
use crate::train::eval::CellErrors;
use crate::train::{BackendChoice, BackendInfo, GreedyReport, Inspection, Metrics, TrainConfig};

/// Which file an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ExportKind {
    Safetensors,
    Json,
}

/// Which example the chain-of-thought player shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExampleChoice {
    /// The held-out example with this index (the run's own held-out set).
    HeldOut(usize),
    /// A prompt the user typed, in the task's text format (TASKS.md; as `lab predict --input`).
    Prompt(String),
}

/// An instrument the page can run on the kept model (`crate::instruments`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum InstrumentKind {
    Probes,
    Ablation,
    Lens,
    Patching,
    Length,
}

impl InstrumentKind {
    pub const ALL: [Self; 5] = [
        Self::Probes,
        Self::Ablation,
        Self::Lens,
        Self::Patching,
        Self::Length,
    ];

    /// The tab's name.
    pub fn title(self) -> &'static str {
        match self {
            Self::Probes => "Probes",
            Self::Ablation => "Ablation",
            Self::Lens => "Logit lens",
            Self::Patching => "Patching",
            Self::Length => "Length curve",
        }
    }

    /// A stable name for element ids and file names.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Probes => "probes",
            Self::Ablation => "ablation",
            Self::Lens => "lens",
            Self::Patching => "patching",
            Self::Length => "length",
        }
    }
}

/// Activation patching's result with the tokens it ran on, as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchView {
    pub patching: Patching,
    pub clean_text: Vec<String>,
    pub corrupt_text: Vec<String>,
}

/// What an instrument measured on the kept model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Measurement {
    Probes(Probes),
    Ablation(Ablation),
    Lens(LogitLens),
    Patching(PatchView),
    Length(LengthCurve),
}

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Train a new model (the kept one is released first).
    Train {
        config: TrainConfig,
        /// The run's name in the runs table (one no stored run has).
        name: String,
        choice: BackendChoice,
    },
    /// Stop the run in progress after the step under way; it is still inspected and kept.
    Stop,
    /// Continue a stored run (its checkpoint's bytes travel beside the message) to the steps
    /// of its config, as if it had not stopped; the run keeps its record in the runs table.
    Resume {
        run: Box<RunRecord>,
        choice: BackendChoice,
    },
    /// Look at the kept model again under another attention mode.
    Reinspect {
        model: ModelHandle,
        mode: AttentionMode,
    },
    /// Show the kept model (under `mode`) on another example in the chain-of-thought player.
    Inspect {
        model: ModelHandle,
        mode: AttentionMode,
        example: ExampleChoice,
    },
    /// Load the checkpoint whose bytes travel with the message; `source` names it in messages.
    Load {
        source: String,
        choice: BackendChoice,
    },
    /// Build a claim's construction at `size` and load it.
    Construct {
        name: String,
        size: usize,
        choice: BackendChoice,
    },
    /// Write the kept model (or its metadata) for a download.
    Export {
        model: Option<ModelHandle>,
        kind: ExportKind,
    },
    /// Run an instrument on the kept model under `mode` (held-out examples at its size; for
    /// patching, the shown example against the corrupted prompt `corrupt`).
    Measure {
        model: ModelHandle,
        mode: AttentionMode,
        kind: InstrumentKind,
        corrupt: Option<String>,
    },
    /// Run a grid: a claim's live check or your own (stopping the one running).
    Grid(GridJob),
    /// Stop the grid that runs.
    GridCancel,
}

impl Request {
    /// The backend a request that makes a model asks for; `None` for the others (they go to
    /// the worker that holds what they act on).
    pub fn backend_choice(&self) -> Option<BackendChoice> {
        match self {
            Self::Train { choice, .. }
            | Self::Resume { choice, .. }
            | Self::Load { choice, .. }
            | Self::Construct { choice, .. } => Some(*choice),
            _ => None,
        }
    }
}

/// A run's work between two progress reports that is not a plain training step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activity {
    /// The first steps on WebGPU: the browser compiles the shaders (seconds to minutes on a
    /// software adapter).
    CompilingShaders,
    /// The step that ends at `step`, then the held-out evaluation, the look at the model and
    /// the stored checkpoint there.
    Evaluating { step: usize },
}

impl Activity {
    /// The progress line's words for it.
    pub fn label(self) -> String {
        match self {
            Self::CompilingShaders => "Compiling WebGPU shaders (the first steps)…".into(),
            Self::Evaluating { step } => format!("Evaluating on the held-out set at step {step}…"),
        }
    }

    /// What the worker was doing, in a sentence about it ("it was … on WebGPU").
    pub fn doing(activity: Option<Self>) -> String {
        match activity {
            Some(Self::CompilingShaders) => "compiling WebGPU shaders".into(),
            Some(Self::Evaluating { step }) => format!("evaluating at step {step}"),
            None => "training".into(),
        }
    }
}

/// What the worker tells the page: one type of news per kind of job — a run ([`RunNews`]), a
/// model kept in the worker ([`ModelNews`]), a grid ([`GridNews`]) — and the worker's own
/// state. Each piece of news is one change to the page's state, except [`Report::Ready`] (the
/// worker can take requests) and [`ModelNews::Download`] (a file, whose bytes travel with the
/// message, for the page to hand to the browser).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Report {
    Ready,
    /// The worker panicked (its wasm traps next; the page reports the crash with this).
    Panicked(String),
    Run(RunNews),
    Model(ModelNews),
    /// News of a grid job (a claim's live check or your own grid).
    Grid(GridNews),
}

impl From<RunNews> for Report {
    fn from(news: RunNews) -> Self {
        Self::Run(news)
    }
}

impl From<ModelNews> for Report {
    fn from(news: ModelNews) -> Self {
        Self::Model(news)
    }
}

/// News of a training run: its start, progress, evaluations, end, and how it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RunNews {
    /// A run starts (`step` 0) or resumes at `step` with the `history` it has so far.
    Started {
        info: BackendInfo,
        /// The run's configuration (a resumed run's may differ from the page's settings).
        config: Box<TrainConfig>,
        steps: usize,
        step: usize,
        history: Vec<Metrics>,
    },
    Progress {
        step: usize,
        steps_per_second: f64,
    },
    /// What the run's worker does next, when it is not a plain training step (the page says so
    /// until the next progress report): a long wait reads as work, not as a hang.
    Activity(Activity),
    Checkpoint(Metrics),
    /// The model under training, looked at on the held-out example at an evaluation: the
    /// attention map and the CoT player follow training as it goes.
    Snapshot(#[serde(with = "shared")] Rc<Inspection>),
    Stopped {
        step: usize,
    },
    Failed(String),
    /// The run failed because its WebGPU device was lost: later runs use the CPU.
    DeviceLost(String),
    /// The run's record as just stored in the runs database (at an evaluation point, or at
    /// its end): the runs table shows it.
    Saved(Box<RunRecord>),
    /// Why the run in progress is not (or not fully) stored; training goes on.
    StorageProblem(String),
}

/// News of the model the worker keeps (after a run, a load or a construction): its look on an
/// example, its measurements, its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelNews {
    Inspecting,
    Inspected(#[serde(with = "shared")] Rc<Inspection>),
    /// The worker keeps a new model (after a run or a load).
    Kept(ModelHandle),
    SetInferenceMode(AttentionMode),
    /// A checkpoint was loaded: show its config and history as if the run had just finished.
    Loaded {
        meta: Box<CheckpointMeta>,
        info: BackendInfo,
        message: String,
    },
    Notice(Result<String, String>),
    /// Free-generation accuracy of the kept model under `mode`, and the held-out examples it
    /// gets wrong (by index).
    Greedy {
        mode: AttentionMode,
        report: GreedyReport,
        #[serde(with = "shared")]
        misses: Rc<Vec<usize>>,
        /// How often each DP cell comes out wrong over those examples.
        #[serde(with = "shared")]
        cells: Rc<CellErrors>,
    },
    /// Every attention head of the kept model under `mode`, scored against what the task's
    /// algorithm reads on held-out examples (or why it cannot be: e.g. every position reads
    /// the whole prefix). Not sent for models without attention.
    Agreement {
        mode: AttentionMode,
        result: Result<Agreement, String>,
    },
    /// An instrument's result on the kept model under `mode` (or why it does not apply).
    Measured {
        mode: AttentionMode,
        kind: InstrumentKind,
        result: Result<Box<Measurement>, String>,
    },
    /// A typed prompt (or an example index) the player cannot show, and why.
    PromptRefused(String),
    /// A file to download, and the models panel's message once it is offered.
    Download {
        name: String,
        mime: String,
        message: String,
    },
}
