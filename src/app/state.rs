//! The page's state and its reducer: the one owner of what the page shows. Every change goes
//! through an [`Action`]; components get values and callbacks, never the dispatcher.
//!
//! Plain Rust: [`AppState::reduce_in_place`] is every transition, unit-tested natively below;
//! yew's `Reducible` (wasm only) calls it.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::instrument_state::Instruments;
use super::runs::RunList;
use super::wire::model_handle::ModelHandle;
pub use super::wire::protocol::{Activity, GridResult, GridStatus};
use super::wire::protocol::{GridNews, GridOf, GridUpdate};
use super::wire::protocol::{InstrumentKind, Measurement, ModelNews, Report, RunNews};
use crate::claims::run::GridRecord;
use crate::instruments::agreement::Agreement;
use crate::models::AttentionMode;
use crate::runs::record::{RunId, RunRecord, RunStatus};
use crate::tasks::TaskKind;
use crate::train::checkpoint::CheckpointMeta;
use crate::train::eval::CellErrors;
use crate::train::link::{FromUrl, MissingData};
use crate::train::{BackendChoice, BackendInfo, GreedyReport, Inspection, Metrics, TrainConfig};

/// What the page is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Idle,
    Starting,
    Training { step: usize },
    Inspecting,
    Done,
    Stopped { step: usize },
    Failed(String),
}

impl Status {
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Self::Starting | Self::Training { .. } | Self::Inspecting
        )
    }

    pub fn label(&self) -> String {
        match self {
            Self::Idle => "Ready".into(),
            Self::Starting => "Starting…".into(),
            Self::Training { .. } => "Training…".into(),
            Self::Inspecting => "Generating the chain of thought…".into(),
            Self::Done => "Done".into(),
            Self::Stopped { step } => format!("Stopped at step {step}"),
            Self::Failed(_) => "Failed".into(),
        }
    }
}

/// The grids run in this tab (one at a time, by the worker's one grid runner): your own grid
/// and each claim's live check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grids {
    /// Your grid's status (none before the first).
    pub custom: Option<GridStatus>,
    /// Your grid's finished runs, in order.
    pub records: Rc<Vec<GridRecord>>,
    /// The last live check of each claim that has had one, by claim id.
    pub live: Rc<BTreeMap<String, GridStatus>>,
}

impl Grids {
    pub fn custom_running(&self) -> bool {
        self.custom.as_ref().is_some_and(GridStatus::is_running)
    }

    /// A grid's news. A running status with fewer runs done than records kept starts a new
    /// grid of yours: its records start empty.
    fn apply(&mut self, news: GridNews) {
        match (news.of, news.update) {
            (GridOf::Custom, GridUpdate::Status(status)) => {
                if let GridStatus::Running { run, .. } = status
                    && run < self.records.len()
                {
                    self.records = Rc::default();
                }
                self.custom = Some(status);
            }
            (GridOf::Custom, GridUpdate::Finished(record)) => {
                Rc::make_mut(&mut self.records).push(*record);
            }
            (GridOf::Claim(id), GridUpdate::Status(status)) => {
                Rc::make_mut(&mut self.live).insert(id, status);
            }
            // A live check's records stay in the worker: its verdict carries what it found.
            (GridOf::Claim(_), GridUpdate::Finished(_)) => {}
        }
    }
}

/// The runs table: every run of this browser (stored in IndexedDB) and what the user does
/// with them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Runs {
    /// Readable runs, newest first.
    pub list: Rc<Vec<RunRecord>>,
    /// Stored records that cannot be read, and why.
    pub unreadable: Rc<Vec<(RunId, String)>>,
    /// The runs whose curves are overlaid.
    pub checked: Rc<BTreeSet<RunId>>,
    /// The run shown in the attention map and the CoT player.
    pub selected: Option<RunId>,
    /// The run training now.
    pub training: Option<RunId>,
    /// The storage line: usage, or why runs are not kept.
    pub storage: Option<Result<String, String>>,
    /// A link that reproduces a run's config (after "Link").
    pub link: Option<String>,
}

impl Runs {
    /// The checked runs, in the table's order (the chart's colours follow it).
    pub fn checked_runs(&self) -> Rc<Vec<RunRecord>> {
        Rc::new(
            self.list
                .iter()
                .filter(|r| self.checked.contains(&r.id))
                .cloned()
                .collect(),
        )
    }

    /// A run's record as just stored: the run in training is the one the map and the player
    /// show.
    fn saved(&mut self, record: RunRecord) {
        let running = record.status == RunStatus::Running;
        let id = record.id.clone();
        if running {
            self.training = Some(id.clone());
        } else if self.training.as_ref() == Some(&id) {
            self.training = None;
        }
        if running && self.selected.as_ref() != Some(&id) {
            self.selected = Some(id);
        }
        self.upsert(record);
    }

    /// Put `record` in the list (replacing its older version), newest first.
    fn upsert(&mut self, record: RunRecord) {
        let mut list: Vec<RunRecord> = self
            .list
            .iter()
            .filter(|r| r.id != record.id)
            .cloned()
            .collect();
        list.push(record);
        list.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
        self.list = Rc::new(list);
    }

    fn remove(&mut self, id: &RunId) {
        let keep = |r: &RunRecord| r.id != *id;
        self.list = Rc::new(self.list.iter().filter(|r| keep(r)).cloned().collect());
        self.unreadable = Rc::new(
            self.unreadable
                .iter()
                .filter(|(u, _)| u != id)
                .cloned()
                .collect(),
        );
        let mut checked = (*self.checked).clone();
        checked.remove(id);
        self.checked = Rc::new(checked);
        if self.selected.as_ref() == Some(id) {
            self.selected = None;
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// The config panel: the settings the next run trains with.
    pub settings: Settings,
    /// The run in progress (or the last one): its backend, progress and curves.
    pub run: RunView,
    /// The model the map, player and models panel show, and what is known of it.
    pub shown: Shown,
    /// The instruments panel: probes, ablation, logit lens, patching, length curves.
    pub instruments: Instruments,
    /// The Claims panel's live checks and your own grid.
    pub grids: Grids,
    /// The runs table.
    pub runs: Runs,
}

/// The config panel's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// A one-line message, e.g. about URL parameters that were ignored.
    pub notice: Option<String>,
    pub config: TrainConfig,
    pub backend_choice: BackendChoice,
    /// "Your own data" was picked while the configuration had this task (a custom-task link
    /// opens the picker too): until data is read, Train is refused.
    pub data_picker: Option<TaskKind>,
    /// What a custom-task link said about the data it does not carry.
    pub missing_data: Option<MissingData>,
}

/// The run in progress (or the last one), as the training panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    pub backend: Option<BackendInfo>,
    pub status: Status,
    /// Steps of the run in progress (or last run).
    pub steps: usize,
    pub history: Rc<Vec<Metrics>>,
    /// Training throughput of the current (or last) run, evaluation included.
    pub steps_per_second: Option<f64>,
    /// What the run's worker is doing beyond a training step (until its next progress report).
    pub activity: Option<Activity>,
    /// Stop was clicked and the worker has not answered yet.
    pub stopping: bool,
    /// Why the last run stopped the way it did, when the page had to end its worker.
    pub stop_note: Option<String>,
}

/// The model the panels show (trained in this tab, loaded or built) and what is known of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub inspection: Option<Rc<Inspection>>,
    pub layer: usize,
    pub head: usize,
    /// Index into the tokens after the prompt.
    pub cot_step: usize,
    /// Attention mode of the model being inspected (may differ from the trained one).
    pub inference_mode: AttentionMode,
    /// The kept model (trained in this tab or loaded), for re-inspection and export. Its
    /// weights stay with the runner.
    pub model: Option<ModelHandle>,
    /// The models panel's last message: `Ok` for news (loaded, exported), `Err` for a problem.
    pub model_notice: Option<Result<String, String>>,
    /// Free-generation accuracy of the finished (or loaded) model on the held-out set, under
    /// `inference_mode` (`None` while it is being evaluated).
    pub greedy: Option<GreedyReport>,
    /// The kept model's heads scored against the task's algorithm (attention models only).
    pub agreement: Option<Rc<Result<Agreement, String>>>,
    /// The configuration of the model the panels show (the run in progress or the last one, or
    /// a loaded checkpoint's): when the settings differ, the panels say so.
    pub config: Option<Rc<TrainConfig>>,
    /// The held-out examples the kept model gets wrong under `inference_mode` (by index), for
    /// the player's "first wrong" and "wrong only".
    pub misses: Option<Rc<Vec<usize>>>,
    /// How often each DP cell comes out wrong in free generation over the held-out set.
    pub cell_errors: Option<Rc<CellErrors>>,
    /// Why the player could not show the prompt (or example) asked for.
    pub prompt_error: Option<String>,
    /// The construction (`claims::construct`) that set the kept model's weights, if any.
    pub construction: Option<String>,
}

/// A change to the page's state: what the user did, or news from the training worker.
pub enum Action {
    SetConfig(TrainConfig),
    SetBackend(BackendChoice),
    SelectLayer(usize),
    SelectHead(usize),
    CotStep(i32),
    CotGoto(usize),
    DismissNotice,
    /// Train was clicked: busy until the worker reports the run started (or failed), so that a
    /// second click (the worker may first have to load the WebGPU build) stops, not restarts.
    Starting,
    /// Stop was clicked while busy.
    Stopping,
    /// "Your own data" was picked while the configuration had this task (`None`: another task).
    PickData(Option<TaskKind>),
    /// The worker did not answer a Stop in time and was ended: the run is stopped where the
    /// page last heard of it; `model_lost` when the kept model lived in that worker.
    StopForced {
        note: String,
        model_lost: bool,
    },
    /// The page asked the worker for a checkpoint (a gallery fetch may take a while).
    ModelNotice(Result<String, String>),
    /// News from the training worker.
    News(Report),
    /// The stored runs, read at start-up.
    RunsListed(RunList),
    /// A run's record changed in the store (renamed).
    RunChanged(RunRecord),
    RunDeleted(RunId),
    RunsCleared,
    /// Overlay a run's curves (or not).
    CheckRun(RunId, bool),
    /// The run now shown (its checkpoint is being loaded).
    SelectRun(RunId),
    /// The storage line (usage) or a storage problem.
    RunsStorage(Result<String, String>),
    /// A link that reproduces a run's config.
    RunLink(String),
    /// Show an instrument's tab.
    ShowInstrument(InstrumentKind),
    /// The worker was asked to run an instrument.
    Measuring(InstrumentKind),
    /// Remove the length curves.
    ClearCurves,
}

impl AppState {
    /// Initial state, with the configuration taken from the URL where it is valid.
    #[cfg(target_arch = "wasm32")]
    pub fn from_url() -> Self {
        Self::new(super::url::read())
    }

    /// Initial state from what the page's URL said (its configuration, backend and notices).
    pub fn new(parsed: FromUrl) -> Self {
        Self {
            settings: Settings {
                data_picker: parsed.missing_data.map(|_| parsed.config.task.task),
                missing_data: parsed.missing_data,
                config: parsed.config.clone(),
                backend_choice: parsed.choice,
                notice: parsed.notice,
            },
            run: RunView {
                backend: None,
                status: Status::Idle,
                steps: parsed.config.steps,
                history: Rc::new(Vec::new()),
                steps_per_second: None,
                activity: None,
                stopping: false,
                stop_note: None,
            },
            shown: Shown {
                inspection: None,
                layer: 0,
                head: 0,
                cot_step: 0,
                inference_mode: AttentionMode::Softmax,
                model: None,
                model_notice: None,
                greedy: None,
                agreement: None,
                config: None,
                misses: None,
                cell_errors: None,
                prompt_error: None,
                construction: None,
            },
            instruments: Instruments::default(),
            grids: Grids::default(),
            runs: Runs::default(),
        }
    }

    /// Steps done and total steps, for the progress bar.
    pub fn progress(&self) -> (usize, usize) {
        let done = match &self.run.status {
            Status::Training { step } | Status::Stopped { step } => *step,
            Status::Inspecting | Status::Done => self.run.steps,
            _ => 0,
        };
        (done, self.run.steps)
    }

    /// When the panels show a model whose configuration is not the current settings: which
    /// model, and what differs.
    pub fn stale_note(&self) -> Option<String> {
        let shown = self.shown.config.as_deref()?;
        let changes = crate::runs::config_diff::config_diff(shown, &self.settings.config);
        (!changes.is_empty()).then(|| {
            format!(
                "Shows the last model ({}), not the current settings: {}.",
                shown.summary(),
                crate::runs::config_diff::diff_summary(&changes, 4)
            )
        })
    }

    /// The data picker is open and no data has been read: there is nothing to train on.
    pub fn awaiting_data(&self) -> bool {
        self.settings.data_picker == Some(self.settings.config.task.task)
            && self.settings.config.task.task != TaskKind::Custom
    }

    /// The progress line: what the run is doing now.
    pub fn progress_label(&self) -> String {
        match (&self.run.status, self.run.activity) {
            (status, _) if self.run.stopping && status.is_busy() => "Stopping…".into(),
            (Status::Training { .. } | Status::Starting, Some(activity)) => activity.label(),
            (status, _) => status.label(),
        }
    }

    /// Sequence position of the CoT player's current token.
    pub fn focus_position(&self) -> Option<usize> {
        self.shown
            .inspection
            .as_ref()
            .map(|i| i.reference.prompt_len + self.shown.cot_step)
    }

    fn steps_after_prompt(&self) -> usize {
        self.shown
            .inspection
            .as_ref()
            .map_or(0, |i| i.len() - i.reference.prompt_len)
    }
}

impl AppState {
    /// A run started (or resumed): its panels start afresh.
    fn started(
        &mut self,
        info: BackendInfo,
        config: TrainConfig,
        steps: usize,
        step: usize,
        history: Vec<Metrics>,
    ) {
        self.run.backend = Some(info);
        self.shown.config = Some(Rc::new(config));
        self.run.steps = steps;
        self.run.history = Rc::new(history);
        self.shown.inspection = None;
        self.run.steps_per_second = None;
        self.shown.inference_mode = self.settings.config.model.attention;
        self.shown.model = None;
        self.shown.greedy = None;
        self.shown.misses = None;
        self.shown.cell_errors = None;
        self.shown.agreement = None;
        self.instruments.forget();
        self.shown.construction = None;
        self.run.status = Status::Training { step };
    }

    /// A checkpoint was loaded: its configuration becomes the settings, and it is inspected.
    fn loaded(&mut self, meta: CheckpointMeta, info: BackendInfo, message: String) {
        let CheckpointMeta {
            train,
            steps_done,
            history,
            constructed_by,
            ..
        } = meta;
        self.shown.construction = constructed_by.map(|p| p.construction);
        self.shown.inference_mode = train.model.attention;
        self.shown.config = Some(Rc::new(train.clone()));
        self.settings.config = train;
        self.run.steps = steps_done;
        self.run.history = Rc::new(history);
        self.run.backend = Some(info);
        self.run.steps_per_second = None;
        self.run.status = Status::Inspecting;
        self.shown.greedy = None;
        self.shown.misses = None;
        self.shown.cell_errors = None;
        self.shown.agreement = None;
        self.instruments.forget();
        self.shown.model_notice = Some(Ok(message));
    }

    /// The worker keeps a model: another one's instrument results no longer hold.
    fn kept(&mut self, model: ModelHandle) {
        if self.shown.model != Some(model) {
            self.instruments.forget();
        }
        self.shown.model = Some(model);
    }

    /// An instrument's result: shown if it was measured under the mode shown.
    fn measured(
        &mut self,
        mode: AttentionMode,
        kind: InstrumentKind,
        result: Result<Box<Measurement>, String>,
    ) {
        if mode == self.shown.inference_mode {
            self.instruments.measured(kind, result.map(|m| *m));
        } else if self.instruments.running == Some(kind) {
            self.instruments.running = None;
        }
    }

    /// What any report ends: the activity line (unless it reports one, or is news from
    /// within the same step) and a pending Stop (once the run has answered it).
    fn settle(&mut self, report: &Report) {
        let ends_activity = !matches!(
            report,
            Report::Run(RunNews::Activity(_))
                | Report::Run(RunNews::Checkpoint(_))
                | Report::Run(RunNews::Snapshot(_))
                | Report::Run(RunNews::Saved(_))
                | Report::Run(RunNews::StorageProblem(_))
        );
        if ends_activity {
            self.run.activity = None;
        }
        if matches!(
            report,
            Report::Run(RunNews::Started { .. })
                | Report::Run(RunNews::Stopped { .. })
                | Report::Run(RunNews::Failed(_))
                | Report::Run(RunNews::DeviceLost(_))
                | Report::Model(ModelNews::Inspecting)
                | Report::Model(ModelNews::Loaded { .. })
        ) {
            self.run.stopping = false;
        }
    }

    /// Show `inspection` in the map and the player, keeping the layer, head and step in range
    /// (`from_start`: the player goes back to the first step).
    fn show(&mut self, inspection: Rc<Inspection>, from_start: bool) {
        self.shown.layer = self.shown.layer.min(inspection.n_layers.saturating_sub(1));
        self.shown.head = self.shown.head.min(inspection.n_heads.saturating_sub(1));
        let last = inspection
            .len()
            .saturating_sub(inspection.reference.prompt_len + 1);
        self.shown.cot_step = if from_start {
            0
        } else {
            self.shown.cot_step.min(last)
        };
        self.shown.inspection = Some(inspection);
    }

    /// Apply the worker's news.
    fn apply(&mut self, report: Report) {
        self.settle(&report);
        match report {
            // The client handles these itself.
            Report::Panicked(_) => self.instruments.running = None,
            Report::Ready | Report::Model(ModelNews::Download { .. }) => {}
            Report::Run(news) => self.run_news(news),
            Report::Model(news) => self.model_news(news),
            Report::Grid(news) => self.grids.apply(news),
        }
    }

    /// A run's news.
    fn run_news(&mut self, news: RunNews) {
        let s = self;
        match news {
            RunNews::Started {
                info,
                config,
                steps,
                step,
                history,
            } => s.started(info, *config, steps, step, history),
            RunNews::Progress {
                step,
                steps_per_second,
            } => {
                if s.run.status.is_busy() {
                    s.run.status = Status::Training { step };
                }
                s.run.steps_per_second = Some(steps_per_second);
            }
            RunNews::Activity(activity) => {
                if s.run.status.is_busy() {
                    s.run.activity = Some(activity);
                }
            }
            RunNews::Checkpoint(m) => {
                let mut history = (*s.run.history).clone();
                history.push(m);
                s.run.history = Rc::new(history);
            }
            RunNews::Snapshot(inspection) => s.show(inspection, false),
            RunNews::Stopped { step } => s.run.status = Status::Stopped { step },
            RunNews::Failed(message) => s.run.status = Status::Failed(message),
            RunNews::DeviceLost(message) => {
                s.run.status = Status::Failed(format!(
                    "The WebGPU device was lost: {message}. The next runs use the CPU."
                ))
            }
            RunNews::Saved(record) => s.runs.saved(*record),
            RunNews::StorageProblem(message) => s.runs.storage = Some(Err(message)),
        }
    }

    /// News of the kept model.
    fn model_news(&mut self, news: ModelNews) {
        let s = self;
        match news {
            ModelNews::Inspecting => s.run.status = Status::Inspecting,
            ModelNews::PromptRefused(why) => s.shown.prompt_error = Some(why),
            ModelNews::Inspected(inspection) => {
                s.shown.prompt_error = None;
                // Another example starts the player from its first step; the same one again (a
                // run's final inspection after its snapshots, another model on the example)
                // keeps the reader where they were.
                let other_example = s
                    .shown
                    .inspection
                    .as_ref()
                    .is_none_or(|shown| !same_prompt(shown, &inspection));
                s.show(inspection, other_example);
                if !matches!(s.run.status, Status::Stopped { .. }) {
                    s.run.status = Status::Done;
                }
            }
            ModelNews::SetInferenceMode(mode) => {
                if mode != s.shown.inference_mode {
                    s.shown.greedy = None;
                    s.shown.misses = None;
                    s.shown.cell_errors = None;
                    s.shown.agreement = None;
                    s.instruments.forget();
                }
                s.shown.inference_mode = mode;
            }
            ModelNews::Loaded {
                meta,
                info,
                message,
            } => s.loaded(*meta, info, message),
            ModelNews::Notice(notice) => s.shown.model_notice = Some(notice),
            ModelNews::Greedy {
                mode,
                report,
                misses,
                cells,
            } => {
                if mode == s.shown.inference_mode {
                    s.shown.greedy = Some(report);
                    s.shown.misses = Some(misses);
                    s.shown.cell_errors = Some(cells);
                }
            }
            ModelNews::Agreement { mode, result } => {
                if mode == s.shown.inference_mode {
                    s.shown.agreement = Some(Rc::new(result));
                }
            }
            ModelNews::Kept(model) => s.kept(model),
            ModelNews::Measured { mode, kind, result } => s.measured(mode, kind, result),
            ModelNews::Download { .. } => {}
        }
    }
}

/// Whether two inspections show the same example: the same task and the same prompt.
fn same_prompt(a: &Inspection, b: &Inspection) -> bool {
    a.task == b.task && a.reference.prompt() == b.reference.prompt()
}

#[cfg(target_arch = "wasm32")]
impl yew::Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.reduce_in_place(action);
        Rc::new(s)
    }
}

impl AppState {
    /// Every transition of the page: `action` applied to this state.
    pub fn reduce_in_place(&mut self, action: Action) {
        let s = self;
        match action {
            Action::SetConfig(config) => {
                if !s.run.status.is_busy() {
                    s.settings.config = config;
                }
            }
            Action::SetBackend(choice) => {
                if !s.run.status.is_busy() {
                    s.settings.backend_choice = choice;
                }
            }
            Action::SelectLayer(layer) => s.shown.layer = layer,
            Action::SelectHead(head) => s.shown.head = head,
            Action::CotStep(delta) => {
                let last = s.steps_after_prompt().saturating_sub(1);
                s.shown.cot_step =
                    (s.shown.cot_step as i64 + i64::from(delta)).clamp(0, last as i64) as usize;
            }
            Action::CotGoto(step) => {
                s.shown.cot_step = step.min(s.steps_after_prompt().saturating_sub(1));
            }
            Action::DismissNotice => s.settings.notice = None,
            Action::ShowInstrument(kind) => s.instruments.tab = kind,
            Action::Measuring(kind) => s.instruments.start(kind),
            Action::ClearCurves => s.instruments.clear_curves(),
            Action::Starting => {
                if !s.run.status.is_busy() {
                    s.run.status = Status::Starting;
                    s.run.stop_note = None;
                }
            }
            Action::PickData(picker) => {
                if !s.run.status.is_busy() {
                    s.settings.data_picker = picker;
                }
            }
            Action::Stopping => {
                if s.run.status.is_busy() {
                    s.run.stopping = true;
                }
            }
            Action::StopForced { note, model_lost } => {
                let (step, _) = s.progress();
                if s.run.status.is_busy() {
                    s.run.status = Status::Stopped { step };
                }
                s.run.stopping = false;
                s.run.activity = None;
                s.run.stop_note = Some(note);
                s.runs.training = None;
                if model_lost {
                    s.shown.model = None;
                    s.instruments.forget();
                }
            }
            Action::ModelNotice(notice) => s.shown.model_notice = Some(notice),
            Action::News(report) => s.apply(report),
            Action::RunsListed(list) => {
                s.runs.unreadable = Rc::new(
                    list.unreadable
                        .into_iter()
                        .map(|u| (u.id, u.error.to_string()))
                        .collect(),
                );
                // Runs saved while the list was being read stay.
                for record in list.runs {
                    if !s.runs.list.iter().any(|r| r.id == record.id) {
                        s.runs.upsert(record);
                    }
                }
            }
            Action::RunChanged(record) => s.runs.upsert(record),
            Action::RunDeleted(id) => s.runs.remove(&id),
            Action::RunsCleared => {
                let training = s.runs.training.take();
                s.runs = Runs {
                    training,
                    storage: s.runs.storage.clone(),
                    ..Runs::default()
                };
            }
            Action::CheckRun(id, on) => {
                let mut checked = (*s.runs.checked).clone();
                if on {
                    checked.insert(id);
                } else {
                    checked.remove(&id);
                }
                s.runs.checked = Rc::new(checked);
            }
            // While a run trains, the map and the player show it: another run opens after.
            Action::SelectRun(id) => {
                if !s.run.status.is_busy() {
                    s.runs.selected = Some(id);
                }
            }
            Action::RunsStorage(line) => s.runs.storage = Some(line),
            Action::RunLink(link) => s.runs.link = Some(link),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::link::parse;

    fn fresh() -> AppState {
        AppState::new(parse(""))
    }

    fn cpu() -> BackendInfo {
        BackendInfo {
            name: "CPU".into(),
            adapter: None,
            reason: "a test".into(),
            is_webgpu: false,
        }
    }

    fn handle(n: u64) -> ModelHandle {
        serde_json::from_str(&n.to_string()).unwrap()
    }

    fn record(id: &str, created_ms: f64, status: RunStatus) -> RunRecord {
        let mut r = RunRecord::start(
            RunId(id.into()),
            id.into(),
            created_ms,
            TrainConfig::default(),
            "CPU".into(),
        );
        r.status = status;
        r
    }

    fn news(s: &mut AppState, report: Report) {
        s.reduce_in_place(Action::News(report));
    }

    /// Free generation measured under `mode`: `full` of 64 examples right, these ones wrong.
    fn greedy(mode: AttentionMode, full: f32, misses: Vec<usize>) -> (GreedyReport, Report) {
        let report = GreedyReport {
            full,
            answer: full,
            examples: 64,
        };
        let misses = Rc::new(misses);
        (
            report,
            Report::Model(ModelNews::Greedy {
                mode,
                report,
                misses,
                cells: Rc::new(CellErrors::default()),
            }),
        )
    }

    /// Train clicked, and the worker says the run started (100 steps).
    fn training() -> AppState {
        let mut s = fresh();
        s.reduce_in_place(Action::Starting);
        assert_eq!(s.run.status, Status::Starting);
        let config = Box::new(s.settings.config.clone());
        news(
            &mut s,
            Report::Run(RunNews::Started {
                info: cpu(),
                config,
                steps: 100,
                step: 0,
                history: Vec::new(),
            }),
        );
        s
    }

    #[test]
    fn late_reports_of_a_stopped_run_do_not_bring_it_back() {
        let mut s = training();
        news(
            &mut s,
            Report::Run(RunNews::Progress {
                step: 40,
                steps_per_second: 5.0,
            }),
        );
        s.reduce_in_place(Action::Stopping);
        assert!(s.run.stopping);
        assert_eq!(s.progress_label(), "Stopping…");
        news(&mut s, Report::Run(RunNews::Stopped { step: 40 }));
        assert!(!s.run.stopping);
        // The step under way when Stop arrived, and its evaluation, still report.
        news(
            &mut s,
            Report::Run(RunNews::Progress {
                step: 41,
                steps_per_second: 5.0,
            }),
        );
        news(
            &mut s,
            Report::Run(RunNews::Activity(Activity::Evaluating { step: 41 })),
        );
        assert_eq!(s.run.status, Status::Stopped { step: 40 });
        assert_eq!(s.run.activity, None);
        assert_eq!(s.progress(), (40, 100));
        // A second Stop on a stopped run changes nothing.
        s.reduce_in_place(Action::Stopping);
        assert!(!s.run.stopping);
    }

    #[test]
    fn a_forced_stop_ends_the_run_where_the_page_last_heard_of_it() {
        let mut s = training();
        news(
            &mut s,
            Report::Run(RunNews::Saved(Box::new(record(
                "a",
                1.0,
                RunStatus::Running,
            )))),
        );
        news(&mut s, Report::Model(ModelNews::Kept(handle(3))));
        news(
            &mut s,
            Report::Run(RunNews::Progress {
                step: 30,
                steps_per_second: 2.0,
            }),
        );
        s.reduce_in_place(Action::Stopping);
        s.reduce_in_place(Action::StopForced {
            note: "the worker did not answer".into(),
            model_lost: true,
        });
        assert_eq!(s.run.status, Status::Stopped { step: 30 });
        assert_eq!(s.shown.model, None);
        assert_eq!(s.runs.training, None);
        assert!(!s.run.stopping);
        assert_eq!(
            s.run.stop_note.as_deref(),
            Some("the worker did not answer")
        );
        // The next Train clears the note.
        s.reduce_in_place(Action::Starting);
        assert_eq!(
            (s.run.status.clone(), s.run.stop_note.clone()),
            (Status::Starting, None)
        );
    }

    #[test]
    fn a_run_opened_while_another_trains_waits_for_it() {
        let mut s = fresh();
        news(
            &mut s,
            Report::Run(RunNews::Saved(Box::new(record(
                "old",
                1.0,
                RunStatus::Finished,
            )))),
        );
        s.reduce_in_place(Action::SelectRun(RunId("old".into())));
        assert_eq!(s.runs.selected, Some(RunId("old".into())));
        let mut s = {
            let mut t = training();
            t.runs = s.runs.clone();
            t
        };
        news(
            &mut s,
            Report::Run(RunNews::Saved(Box::new(record(
                "new",
                2.0,
                RunStatus::Running,
            )))),
        );
        assert_eq!(s.runs.training, Some(RunId("new".into())));
        assert_eq!(s.runs.selected, Some(RunId("new".into())));
        // Opening the old run while the new one trains leaves the panels on the new one …
        s.reduce_in_place(Action::SelectRun(RunId("old".into())));
        assert_eq!(s.runs.selected, Some(RunId("new".into())));
        news(
            &mut s,
            Report::Run(RunNews::Saved(Box::new(record(
                "new",
                2.0,
                RunStatus::Running,
            )))),
        );
        assert_eq!(s.runs.selected, Some(RunId("new".into())));
        // … and works once it has finished.
        news(
            &mut s,
            Report::Run(RunNews::Saved(Box::new(record(
                "new",
                2.0,
                RunStatus::Finished,
            )))),
        );
        news(&mut s, Report::Run(RunNews::Stopped { step: 100 }));
        assert_eq!(s.runs.training, None);
        s.reduce_in_place(Action::SelectRun(RunId("old".into())));
        assert_eq!(s.runs.selected, Some(RunId("old".into())));
        // Newest first, one entry per run.
        let ids: Vec<&str> = s.runs.list.iter().map(|r| r.id.0.as_str()).collect();
        assert_eq!(ids, ["new", "old"]);
    }

    #[test]
    fn reports_for_another_attention_mode_are_stale_and_dropped() {
        let mut s = fresh();
        let (report, measured) = greedy(AttentionMode::Softmax, 0.5, vec![3, 9]);
        news(&mut s, measured.clone());
        assert_eq!(s.shown.greedy, Some(report));
        // The user switched to hard attention: what was measured under softmax goes …
        news(
            &mut s,
            Report::Model(ModelNews::SetInferenceMode(AttentionMode::Hard)),
        );
        assert_eq!((s.shown.greedy, s.shown.misses.clone()), (None, None));
        // … and a softmax report that was already on its way is not shown as hard's.
        news(&mut s, measured);
        news(
            &mut s,
            Report::Model(ModelNews::Agreement {
                mode: AttentionMode::Softmax,
                result: Err("stale".into()),
            }),
        );
        assert_eq!((s.shown.greedy, s.shown.agreement.clone()), (None, None));
        news(
            &mut s,
            Report::Model(ModelNews::Agreement {
                mode: AttentionMode::Hard,
                result: Err("no attention".into()),
            }),
        );
        assert!(s.shown.agreement.is_some());
    }

    #[test]
    fn instrument_results_follow_the_kept_model_and_its_mode() {
        let mut s = training();
        news(&mut s, Report::Model(ModelNews::Kept(handle(7))));
        s.reduce_in_place(Action::Measuring(InstrumentKind::Lens));
        assert_eq!(s.instruments.running, Some(InstrumentKind::Lens));
        let measured = |mode| {
            Report::Model(ModelNews::Measured {
                mode,
                kind: InstrumentKind::Lens,
                result: Err("why".into()),
            })
        };
        // Measured under another mode: not shown, but the button is free again.
        news(&mut s, measured(AttentionMode::Hard));
        assert_eq!(s.instruments.running, None);
        assert!(s.instruments.result(InstrumentKind::Lens).is_none());
        news(&mut s, measured(AttentionMode::Softmax));
        assert!(s.instruments.result(InstrumentKind::Lens).is_some());
        // The same model kept again keeps its results; another model forgets them.
        news(&mut s, Report::Model(ModelNews::Kept(handle(7))));
        assert!(s.instruments.result(InstrumentKind::Lens).is_some());
        news(&mut s, Report::Model(ModelNews::Kept(handle(8))));
        assert!(s.instruments.result(InstrumentKind::Lens).is_none());
        s.reduce_in_place(Action::ShowInstrument(InstrumentKind::Length));
        assert_eq!(s.instruments.tab, InstrumentKind::Length);
    }

    #[test]
    fn a_failed_load_keeps_the_model_on_screen() {
        let mut s = training();
        news(&mut s, Report::Model(ModelNews::Kept(handle(7))));
        let (report, measured) = greedy(AttentionMode::Softmax, 1.0, Vec::new());
        news(&mut s, measured);
        news(&mut s, Report::Run(RunNews::Stopped { step: 100 }));
        let shown = s.shown.config.clone();
        news(
            &mut s,
            Report::Model(ModelNews::Notice(Err("not a checkpoint: bad magic".into()))),
        );
        assert_eq!(s.shown.model, Some(handle(7)));
        assert_eq!(s.shown.greedy, Some(report));
        assert_eq!(s.shown.config, shown);
        assert_eq!(s.run.status, Status::Stopped { step: 100 });
        assert_eq!(
            s.shown.model_notice,
            Some(Err("not a checkpoint: bad magic".to_string()))
        );
    }

    #[test]
    fn the_settings_wait_while_a_run_is_busy() {
        let mut s = training();
        let before = s.settings.config.clone();
        let mut other = before.clone();
        other.steps += 1;
        s.reduce_in_place(Action::SetConfig(other.clone()));
        s.reduce_in_place(Action::SetBackend(BackendChoice::Cpu));
        s.reduce_in_place(Action::PickData(Some(TaskKind::Parity)));
        assert_eq!(
            (s.settings.config.clone(), s.settings.data_picker),
            (before, None)
        );
        news(&mut s, Report::Run(RunNews::Failed("out of memory".into())));
        assert!(!s.run.status.is_busy());
        s.reduce_in_place(Action::SetConfig(other.clone()));
        assert_eq!(s.settings.config, other);
        // The panels now say that they show the failed run's model, not these settings.
        assert!(
            s.stale_note()
                .is_some_and(|n| n.contains("not the current settings"))
        );
    }

    #[test]
    fn the_stored_list_arrives_after_a_run_was_saved() {
        let mut s = fresh();
        news(
            &mut s,
            Report::Run(RunNews::Saved(Box::new(record(
                "live",
                5.0,
                RunStatus::Running,
            )))),
        );
        s.reduce_in_place(Action::RunsListed(RunList {
            runs: vec![
                record("live", 5.0, RunStatus::Stopped),
                record("older", 1.0, RunStatus::Finished),
            ],
            unreadable: Vec::new(),
        }));
        // The record saved while the list was being read is newer than the listed copy.
        let listed: Vec<(&str, RunStatus)> = s
            .runs
            .list
            .iter()
            .map(|r| (r.id.0.as_str(), r.status))
            .collect();
        assert_eq!(
            listed,
            [("live", RunStatus::Running), ("older", RunStatus::Finished)]
        );
        s.reduce_in_place(Action::CheckRun(RunId("older".into()), true));
        assert_eq!(s.runs.checked_runs().len(), 1);
        s.reduce_in_place(Action::RunDeleted(RunId("older".into())));
        assert!(s.runs.checked.is_empty());
        // Clearing every run keeps the one in training on record as training.
        s.reduce_in_place(Action::RunsCleared);
        assert!(s.runs.list.is_empty());
        assert_eq!(s.runs.training, Some(RunId("live".into())));
    }

    #[test]
    fn the_player_stays_in_range_without_a_chain_of_thought() {
        let mut s = fresh();
        s.reduce_in_place(Action::CotStep(5));
        s.reduce_in_place(Action::CotGoto(9));
        assert_eq!(s.shown.cot_step, 0);
        s.reduce_in_place(Action::CotStep(-3));
        assert_eq!(s.shown.cot_step, 0);
        assert_eq!(s.focus_position(), None);
    }

    /// An inspection of `prompt` followed by `after` tokens of chain of thought and answer.
    fn inspection(prompt: &[u32], after: usize) -> Rc<Inspection> {
        let tokens: Vec<u32> = prompt
            .iter()
            .copied()
            .chain((0..after as u32).map(|t| t + 10))
            .collect();
        let labels: Vec<String> = tokens.iter().map(u32::to_string).collect();
        Rc::new(Inspection {
            task: crate::tasks::TaskKind::Lis,
            reference: crate::tasks::Example {
                tokens: tokens.clone(),
                prompt_len: prompt.len(),
                cot_len: after.saturating_sub(1),
                trace: Vec::new(),
            },
            tokens,
            reference_labels: labels.clone(),
            labels,
            grade: crate::tasks::Grade {
                exact: true,
                answer_correct: true,
                first_wrong: None,
                first_wrong_cell: None,
            },
            n_layers: 1,
            n_heads: 1,
            attention: Vec::new(),
            state_norms: Vec::new(),
            example: Some(0),
        })
    }

    #[test]
    fn the_player_keeps_its_step_on_the_same_example_and_starts_over_on_another() {
        let mut s = fresh();
        let inspected = |s: &mut AppState, i| {
            s.reduce_in_place(Action::News(Report::Model(ModelNews::Inspected(i))))
        };
        inspected(&mut s, inspection(&[1, 2, 3], 6));
        s.reduce_in_place(Action::CotStep(4));
        assert_eq!(s.shown.cot_step, 4);
        // A run's snapshot and then its final inspection of the same example: the step stays.
        s.reduce_in_place(Action::News(Report::Run(RunNews::Snapshot(inspection(
            &[1, 2, 3],
            6,
        )))));
        assert_eq!(s.shown.cot_step, 4);
        inspected(&mut s, inspection(&[1, 2, 3], 6));
        assert_eq!(s.shown.cot_step, 4);
        // The same example with a shorter continuation: the step is clamped to its last token.
        inspected(&mut s, inspection(&[1, 2, 3], 3));
        assert_eq!(s.shown.cot_step, 2);
        // Another example starts from the first step.
        inspected(&mut s, inspection(&[1, 2, 4], 6));
        assert_eq!(s.shown.cot_step, 0);
    }

    fn grid_record(width: usize) -> GridRecord {
        serde_json::from_value(serde_json::json!({
            "claim": "custom", "quick": false, "series": "lstm", "architecture": "lstm",
            "layers": 1, "width": width, "size": 5, "seed": 1, "steps": 10, "batch_size": 32,
            "learning_rate": 0.003, "construction": null, "attention": "softmax",
            "metric": "accuracy", "accuracy": 0.5, "teacher_forced": 0.5, "answer": 0.5,
            "final_loss": 0.7, "correct": "10", "seconds": 1.0, "command": "", "commit": "",
            "machine": "",
        }))
        .unwrap()
    }

    fn grid_news(of: GridOf, update: GridUpdate) -> Report {
        Report::Grid(GridNews { of, update })
    }

    fn running(run: usize, runs: usize) -> GridUpdate {
        GridUpdate::Status(GridStatus::Running {
            run,
            runs,
            step: 0,
            steps: 10,
            current: String::new(),
        })
    }

    #[test]
    fn grids_keep_your_records_per_grid_and_each_claims_check() {
        let mut s = fresh();
        news(&mut s, grid_news(GridOf::Custom, running(0, 2)));
        assert!(s.grids.custom_running());
        news(
            &mut s,
            grid_news(
                GridOf::Custom,
                GridUpdate::Finished(Box::new(grid_record(8))),
            ),
        );
        news(&mut s, grid_news(GridOf::Custom, running(1, 2)));
        assert_eq!(
            s.grids.records.len(),
            1,
            "a grid's own progress keeps its records"
        );
        news(
            &mut s,
            grid_news(
                GridOf::Custom,
                GridUpdate::Finished(Box::new(grid_record(16))),
            ),
        );
        // A claim's check takes the runner: the grid it stopped says so, its records stay.
        let claim = GridOf::Claim("dyck".into());
        news(
            &mut s,
            grid_news(
                GridOf::Custom,
                GridUpdate::Status(GridStatus::Cancelled { run: 1, runs: 2 }),
            ),
        );
        news(&mut s, grid_news(claim.clone(), running(0, 24)));
        assert!(!s.grids.custom_running());
        assert_eq!(s.grids.records.len(), 2);
        assert!(s.grids.live["dyck"].is_running());
        // A live check's records are not yours.
        news(
            &mut s,
            grid_news(claim, GridUpdate::Finished(Box::new(grid_record(32)))),
        );
        assert_eq!(s.grids.records.len(), 2);
        // Your next grid starts empty.
        news(&mut s, grid_news(GridOf::Custom, running(0, 4)));
        assert!(s.grids.records.is_empty());
        assert_eq!(
            s.grids.custom.as_ref().and_then(GridStatus::progress),
            Some((0, 4))
        );
    }
}
