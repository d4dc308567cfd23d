//! The page in a window: the `App` component, its callbacks and its view. `start` tells a
//! window from the training worker.

use yew::prelude::*;

use super::client::{WorkerClient, use_worker_client};
use super::components::claim_construction::LoadedConstruction;
use super::components::models_panel::GalleryEntry;
use super::components::{
    AgreementCurve, AgreementGrid, AttentionMap, BackendBadge, ClaimsPanel, ConfigPanel, CostMeter,
    CotPlayer, DpTable, ExamplePicker, InstrumentsPanel, LossChart, ModeSwitch, ModelsPanel,
    ProgressBar, RunsChart, RunsTable, SweepPanel, TaskGallery,
};
use super::files::CheckpointSource;
use super::hooks::use_keyboard_cot_steps;
use super::state::{Action, AppState, Status};
use super::wire::protocol::{ExampleChoice, ExportKind, GridJob, InstrumentKind, Request};
use super::{runs, url};
use crate::models::AttentionMode;
use crate::runs::record::{RunId, RunRecord, distinct_name};
use crate::tasks::TaskKind;
use crate::train::{BackendChoice, TrainConfig};

/// In a window, mount the page; in the training worker, serve the page's requests.
pub fn start() {
    match super::worker::host::worker_scope() {
        Some(scope) => super::worker::host::serve(scope),
        None => mount(),
    }
}

/// Mount the app on `#app` (replacing the loading message), or on `<body>`.
fn mount() {
    match gloo::utils::document().get_element_by_id("app") {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

/// What the page's events do. Each is memoized, so that a panel whose values did not change
/// is not re-rendered by a progress update.
struct Callbacks {
    on_config: Callback<TrainConfig>,
    on_backend: Callback<BackendChoice>,
    on_picking: Callback<Option<TaskKind>>,
    on_example: Callback<ExampleChoice>,
    on_train: Callback<MouseEvent>,
    on_mode: Callback<AttentionMode>,
    on_layer: Callback<usize>,
    on_head: Callback<usize>,
    on_cot_step: Callback<i32>,
    on_cot_goto: Callback<usize>,
    on_gallery: Callback<GalleryEntry>,
    on_file: Callback<web_sys::File>,
    on_export: Callback<ExportKind>,
    on_construct: Callback<(String, usize)>,
    /// Run a grid (a claim's live check or your own) / stop the one running.
    on_grid: Callback<GridJob>,
    on_grid_cancel: Callback<()>,
    on_instrument_tab: Callback<InstrumentKind>,
    on_measure: Callback<(InstrumentKind, Option<String>)>,
    on_clear_curves: Callback<()>,
    runs: RunsCallbacks,
}

/// What the runs table's buttons do.
struct RunsCallbacks {
    on_select: Callback<RunId>,
    on_check: Callback<(RunId, bool)>,
    on_rename: Callback<(RunId, String)>,
    on_notes: Callback<(RunId, String)>,
    on_delete: Callback<RunId>,
    on_export: Callback<RunId>,
    on_export_all: Callback<()>,
    on_share: Callback<RunId>,
    on_clear_all: Callback<()>,
    on_resume: Callback<RunId>,
}

/// The runs table's callbacks; the stored runs are read once, at start-up.
#[hook]
fn use_runs_callbacks(state: &UseReducerHandle<AppState>, client: &WorkerClient) -> RunsCallbacks {
    let dispatch = state.dispatcher();
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |()| runs::page::list_at_start(&dispatch));
    }
    let busy = state.run.status.is_busy();
    let list = state.runs.list.clone();
    let choice = state.settings.backend_choice;
    // `f(record)` for the run with this id, if it is still listed.
    let find = |list: &[RunRecord], id: &RunId| list.iter().find(|r| r.id == *id).cloned();
    let on_select = use_callback(
        (dispatch.clone(), client.clone(), list.clone(), busy, choice),
        move |id: RunId, (dispatch, client, list, busy, choice)| {
            if let Some(record) = find(list, &id)
                && !*busy
            {
                runs::page::open_run(dispatch, client, record, client.backend(*choice));
            }
        },
    );
    let on_resume = use_callback(
        (dispatch.clone(), client.clone(), list.clone(), busy, choice),
        move |id: RunId, (dispatch, client, list, busy, choice)| {
            if let Some(record) = find(list, &id)
                && !*busy
            {
                runs::page::resume(dispatch, client, record, client.backend(*choice));
            }
        },
    );
    let on_check = use_callback(dispatch.clone(), |(id, on): (RunId, bool), dispatch| {
        dispatch.dispatch(Action::CheckRun(id, on))
    });
    let on_notes = use_callback(
        dispatch.clone(),
        |(id, notes): (RunId, String), dispatch| runs::page::set_notes(dispatch, id, notes),
    );
    let on_rename = use_callback(dispatch.clone(), |(id, name): (RunId, String), dispatch| {
        runs::page::rename(dispatch, id, name)
    });
    let on_delete = use_callback(dispatch.clone(), |id: RunId, dispatch| {
        runs::page::delete(dispatch, id)
    });
    let on_export = use_callback(
        (dispatch.clone(), list.clone()),
        move |id: RunId, (dispatch, list)| {
            if let Some(record) = find(list, &id) {
                runs::page::export_one(dispatch, record)
            }
        },
    );
    let on_export_all = use_callback((dispatch.clone(), list.clone()), |(), (dispatch, list)| {
        runs::page::export_every(dispatch, list.to_vec())
    });
    let on_share = use_callback(
        (dispatch.clone(), list, choice),
        move |id: RunId, (dispatch, list, choice)| {
            if let Some(record) = find(list, &id) {
                runs::page::share(dispatch, &record, *choice)
            }
        },
    );
    let on_clear_all = use_callback(dispatch, |(), dispatch| runs::page::clear_all(dispatch));
    RunsCallbacks {
        on_select,
        on_check,
        on_rename,
        on_notes,
        on_delete,
        on_export,
        on_export_all,
        on_share,
        on_clear_all,
        on_resume,
    }
}

/// A callback that dispatches `action(value)`.
#[hook]
fn use_action<T: 'static>(
    state: &UseReducerHandle<AppState>,
    action: fn(T) -> Action,
) -> Callback<T> {
    let dispatch = state.dispatcher();
    use_callback(dispatch, move |value, dispatch| {
        dispatch.dispatch(action(value))
    })
}

/// Load a checkpoint; not while a run is busy (loading replaces what the page shows). The page
/// reads a gallery model or a file; the worker builds a construction.
fn load(source: CheckpointSource, (client, busy, choice): &(WorkerClient, bool, BackendChoice)) {
    if *busy {
        return;
    }
    let choice = client.backend(*choice);
    let describe = source.describe();
    match source {
        CheckpointSource::Construction { name, size } => {
            client.send(Request::Construct { name, size, choice })
        }
        source => {
            if let CheckpointSource::Gallery { title, .. } = &source {
                client.notice(Ok(format!("Fetching “{title}”…")));
            }
            let client = client.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match source.read().await {
                    Ok(bytes) => client.send_with_bytes(
                        Request::Load {
                            source: describe,
                            choice,
                        },
                        bytes,
                    ),
                    Err(e) => client.notice(Err(e)),
                }
            });
        }
    }
}

/// The chain-of-thought player's panel: which example, the player, the DP table.
fn cot_panel(state: &AppState, cb: &Callbacks, busy: bool) -> Html {
    html! {
        <section class="panel cot">
            <h2>{"Chain-of-thought player"}</h2>
            { stale_marker(&state.stale_note(), "stale-cot") }
            if let Some(ins) = &state.shown.inspection {
                <ExamplePicker key={ins.task.name()} current={ins.example} count={state.shown.greedy.map_or(0, |g| g.examples)}
                    misses={state.shown.misses.clone()} error={state.shown.prompt_error.clone()}
                    disabled={busy || state.shown.model.is_none()} prompt_hint={prompt_text(ins)}
                    on_example={cb.on_example.clone()} />
            }
            <CotPlayer inspection={state.shown.inspection.clone()} step={state.shown.cot_step} layer={state.shown.layer}
                head={state.shown.head} on_step={cb.on_cot_step.clone()} on_goto={cb.on_cot_goto.clone()} />
            if let Some(ins) = &state.shown.inspection {
                <DpTable inspection={ins.clone()} step={state.shown.cot_step} on_goto={cb.on_cot_goto.clone()}
                    errors={state.shown.cell_errors.clone()} />
            }
        </section>
    }
}

/// A panel's line saying that it shows a model other than the current settings.
fn stale_marker(note: &Option<String>, id: &'static str) -> Html {
    match note {
        Some(note) => html! { <p class="stale-marker" {id} role="note">{note}</p> },
        None => html! {},
    }
}

/// An inspection's prompt as the text a typed prompt is written in (the player's hint).
fn prompt_text(ins: &crate::train::Inspection) -> AttrValue {
    ins.labels[..ins.reference.prompt_len.min(ins.labels.len())]
        .join(" ")
        .into()
}

/// The page's callbacks over its state and its worker.
#[hook]
fn use_callbacks(state: &UseReducerHandle<AppState>) -> Callbacks {
    let client = use_worker_client(state.dispatcher());
    let runs = use_runs_callbacks(state, &client);
    runs::reopen::use_reopen_after_reload(state, &client);
    let busy = state.run.status.is_busy();
    let choice = state.settings.backend_choice;
    let on_train = use_callback(
        (
            client.clone(),
            busy,
            state.settings.config.clone(),
            choice,
            state.dispatcher(),
            state.awaiting_data(),
            state.runs.list.clone(),
        ),
        |_: MouseEvent, (client, busy, config, choice, dispatch, awaiting_data, runs)| {
            if *awaiting_data && !*busy {
                // (The button is disabled then; a keyboard or script click still lands here.)
                return;
            }
            if *busy {
                dispatch.dispatch(Action::Stopping);
                let dispatch = dispatch.clone();
                client.stop(move |run, note| {
                    if let Some(run) = run {
                        runs::page::mark_stopped(&dispatch, run, note);
                    }
                });
            } else {
                dispatch.dispatch(Action::Starting);
                client.send(Request::Train {
                    config: config.clone(),
                    name: distinct_name(config, runs),
                    choice: client.backend(*choice),
                });
            }
        },
    );
    let on_mode = use_callback(
        (
            client.clone(),
            busy,
            state.shown.inference_mode,
            state.shown.model,
        ),
        |mode: AttentionMode, (client, busy, current, model)| {
            if let Some(model) = model
                && !*busy
                && *current != mode
            {
                client.send(Request::Reinspect {
                    model: *model,
                    mode,
                });
            }
        },
    );
    let on_measure = use_callback(
        (
            client.clone(),
            busy,
            state.shown.inference_mode,
            state.shown.model,
            state.dispatcher(),
        ),
        |(kind, corrupt): (InstrumentKind, Option<String>),
         (client, busy, mode, model, dispatch)| {
            if let Some(model) = model
                && !*busy
            {
                dispatch.dispatch(Action::Measuring(kind));
                client.send(Request::Measure {
                    model: *model,
                    mode: *mode,
                    kind,
                    corrupt,
                });
            }
        },
    );
    let on_example = use_callback(
        (
            client.clone(),
            busy,
            state.shown.inference_mode,
            state.shown.model,
        ),
        |choice: ExampleChoice, (client, busy, mode, model)| {
            if let Some(model) = model
                && !*busy
            {
                client.send(Request::Inspect {
                    model: *model,
                    mode: *mode,
                    example: choice,
                });
            }
        },
    );
    let on_gallery = use_callback(
        (client.clone(), busy, choice),
        |entry: GalleryEntry, deps| {
            load(
                CheckpointSource::Gallery {
                    name: entry.name,
                    title: entry.title,
                },
                deps,
            )
        },
    );
    let on_file = use_callback(
        (client.clone(), busy, choice),
        |file: web_sys::File, deps| load(CheckpointSource::File(file), deps),
    );
    let on_construct = use_callback(
        (client.clone(), busy, choice),
        |(name, size): (String, usize), deps| {
            load(CheckpointSource::Construction { name, size }, deps)
        },
    );
    let on_export = use_callback(
        (client.clone(), state.shown.model),
        |kind: ExportKind, (client, model)| {
            client.send(Request::Export {
                model: *model,
                kind,
            })
        },
    );
    let on_grid = use_callback(client.clone(), |job: GridJob, client| {
        client.send(Request::Grid(job))
    });
    let on_grid_cancel = use_callback(client, |(), client| client.send(Request::GridCancel));
    Callbacks {
        on_config: use_action(state, Action::SetConfig),
        on_backend: use_action(state, Action::SetBackend),
        on_picking: use_action(state, Action::PickData),
        on_example,
        on_train,
        on_mode,
        on_layer: use_action(state, Action::SelectLayer),
        on_head: use_action(state, Action::SelectHead),
        on_cot_step: use_action(state, Action::CotStep),
        on_cot_goto: use_action(state, Action::CotGoto),
        on_gallery,
        on_file,
        on_export,
        on_construct,
        on_grid,
        on_grid_cancel,
        on_instrument_tab: use_action(state, Action::ShowInstrument),
        on_measure,
        on_clear_curves: use_action(state, |()| Action::ClearCurves),
        runs,
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::from_url);
    url::use_url_sync(&state.settings.config, state.settings.backend_choice);
    let callbacks = use_callbacks(&state);
    use_keyboard_cot_steps(callbacks.on_cot_step.clone());
    view(&state, callbacks)
}

/// The kept model's construction and what the claim cards show of it.
fn loaded_construction(state: &AppState) -> Option<(String, LoadedConstruction)> {
    let name = state.shown.construction.clone()?;
    state.shown.model?;
    Some((
        name,
        LoadedConstruction {
            size: state.settings.config.task.size,
            mode: state.shown.inference_mode,
            has_modes: state
                .settings
                .config
                .model
                .architecture
                .has_attention_modes(),
            greedy: state.shown.greedy,
        },
    ))
}

/// The runs table's storage line: how many runs are kept and the quota used, or a problem.
fn runs_storage_line(runs: &super::state::Runs) -> Option<Result<AttrValue, AttrValue>> {
    let count = match runs.list.len() {
        1 => "1 run".to_string(),
        n => format!("{n} runs"),
    };
    Some(match runs.storage.clone()? {
        Ok(usage) if usage.is_empty() => Ok(format!("{count} kept in this browser").into()),
        Ok(usage) => Ok(format!("{count} kept in this browser · {usage}").into()),
        Err(problem) => Err(problem.into()),
    })
}

/// The attention map (or the recurrent state), its mode switch and the agreement grid.
fn attention_panel(state: &AppState, cb: &Callbacks, stale: &Option<String>) -> Html {
    let busy = state.run.status.is_busy();
    let recurrent = state
        .shown
        .inspection
        .as_ref()
        .is_some_and(|i| i.n_layers == 0);
    let show_modes = state.shown.model.is_some()
        && state
            .shown
            .inspection
            .as_ref()
            .is_some_and(|i| i.n_layers > 0)
        && state
            .settings
            .config
            .model
            .architecture
            .has_attention_modes();
    html! {
        <section class="panel attention" id="attention-panel">
            <h2>{ if recurrent { "Recurrent state" } else { "Attention map" } }</h2>
            { stale_marker(stale, "stale-attention") }
            if show_modes {
                <ModeSwitch current={state.shown.inference_mode} disabled={busy} on_mode={cb.on_mode.clone()} />
            }
            <AttentionMap inspection={state.shown.inspection.clone()} layer={state.shown.layer} head={state.shown.head}
                focus={state.focus_position()} on_layer={cb.on_layer.clone()} on_head={cb.on_head.clone()}
                about={about(state)} />
            <AgreementGrid agreement={state.shown.agreement.clone()} layer={state.shown.layer} head={state.shown.head}
                on_layer={cb.on_layer.clone()} on_head={cb.on_head.clone()} about={about(state)} />
            <AgreementCurve history={state.run.history.clone()} total_steps={state.run.steps} about={about(state)} />
        </section>
    }
}

/// The shown model's config as JSON: what exported charts and maps carry inside.
fn about(state: &AppState) -> AttrValue {
    serde_json::to_string(
        state
            .shown
            .config
            .as_deref()
            .unwrap_or(&state.settings.config),
    )
    .unwrap_or_default()
    .into()
}

/// The instruments on the kept model: probes, ablation, logit lens, patching, length curves.
fn instruments_panel(state: &AppState, cb: &Callbacks, stale: &Option<String>) -> Html {
    let config = state
        .shown
        .config
        .as_deref()
        .unwrap_or(&state.settings.config);
    html! {
        <section class="panel instruments-panel" id="instruments-panel">
            <h2>{"Instruments: probes, ablation, logit lens, patching, length"}</h2>
            { stale_marker(stale, "stale-instruments") }
            <InstrumentsPanel instruments={state.instruments.clone()} has_model={state.shown.model.is_some()}
                busy={state.run.status.is_busy()} has_heads={config.model.architecture.has_attention()}
                prompt={state.shown.inspection.as_deref().map(prompt_text).unwrap_or_default()}
                about={about(state)}
                on_tab={cb.on_instrument_tab.clone()} on_measure={cb.on_measure.clone()}
                on_clear_curves={cb.on_clear_curves.clone()} />
        </section>
    }
}

/// The page's sections as the navigation bar lists them: the element each link scrolls to.
const SECTIONS: [(&str, &str); 7] = [
    ("train-section", "Train"),
    ("attention-panel", "Inspect"),
    ("instruments-panel", "Instruments"),
    ("runs-panel", "Runs"),
    ("models-section", "Models"),
    ("claims-section", "Claims"),
    ("gallery-section", "Tasks"),
];

fn view(state: &AppState, cb: Callbacks) -> Html {
    let cot = cot_panel(state, &cb, state.run.status.is_busy());
    let stale = state.stale_note();
    let attention = attention_panel(state, &cb, &stale);
    let busy = state.run.status.is_busy();
    let (done, total) = state.progress();
    let instruments = instruments_panel(state, &cb, &stale);
    html! {
        <div class="app">
            <header class="top">
                <div class="brand">
                    <h1>{"Expressivity Lab"}</h1>
                    <p class="tagline">{"Train small sequence models in your browser and see what transformers can and cannot do."}</p>
                </div>
                <BackendBadge info={state.run.backend.clone()} choice={state.settings.backend_choice} />
            </header>
            if let Some(notice) = &state.settings.notice {
                <div class="notice" role="status">{notice}</div>
            }
            <nav class="sections" aria-label="Sections of the page">
                { for SECTIONS.iter().map(|(id, name)| html! { <a href={format!("#{id}")}>{*name}</a> }) }
            </nav>
            <main class="layout">
                <aside class="panel config" id="train-section">
                    <ConfigPanel config={state.settings.config.clone()} choice={state.settings.backend_choice} disabled={busy}
                        on_config={cb.on_config} on_backend={cb.on_backend} missing_data={state.settings.missing_data}
                        picking={state.settings.data_picker} on_picking={cb.on_picking} />
                    <button id="train" class={classes!("train-button", busy.then_some("stop"))} onclick={cb.on_train}
                        disabled={!busy && state.awaiting_data()}
                        aria-describedby={(!busy && state.awaiting_data()).then_some("train-refused")}>
                        { if busy { "Stop" } else { "Train" } }
                    </button>
                    if !busy && state.awaiting_data() {
                        <p class="hint refused" id="train-refused">{"Read your data first: with “Your own data” chosen, Train waits for a file or pasted examples."}</p>
                    }
                    <ProgressBar {done} {total} label={state.progress_label()} rate={state.run.steps_per_second} />
                    if let Some(note) = &state.run.stop_note {
                        <p class="notice stop-note" id="stop-note" role="status">{note}</p>
                    }
                    if let Status::Failed(message) = &state.run.status {
                        <div class="error" role="alert">{message}</div>
                    }
                </aside>
                <section class="panel chart">
                    <h2>{"Training"}</h2>
                    { stale_marker(&stale, "stale-chart") }
                    <LossChart history={state.run.history.clone()} total_steps={state.run.steps} greedy={state.shown.greedy}
                        chain_of_thought={state.shown.config.as_deref().unwrap_or(&state.settings.config).task.task.info().chain_of_thought}
                        about={about(state)} />
                </section>
                <section class="panel cost">
                    <h2>{"Cost per generated token"}</h2>
                    <CostMeter config={state.settings.config.model().ok()} />
                </section>
                { attention }
                { cot }
                { instruments }
                <section class="panel runs" id="runs-panel">
                    <h2>{"Runs in this browser"}</h2>
                    <RunsTable runs={state.runs.list.clone()} unreadable={state.runs.unreadable.clone()}
                        selected={state.runs.selected.clone()} checked={state.runs.checked.clone()}
                        training={state.runs.training.clone()}
                        storage={runs_storage_line(&state.runs)}
                        on_select={cb.runs.on_select} on_check={cb.runs.on_check} on_rename={cb.runs.on_rename}
                        on_delete={cb.runs.on_delete} on_export={cb.runs.on_export} on_export_all={cb.runs.on_export_all}
                        on_share={cb.runs.on_share} on_clear_all={cb.runs.on_clear_all} on_resume={cb.runs.on_resume} />
                    if let Some(link) = &state.runs.link {
                        <p class="run-link">{"Link to this run's config (copied where the browser allows; a custom task's data is not in it): "}
                            <input id="run-link" readonly=true value={link.clone()} aria-label="run link" /></p>
                    }
                    <RunsChart runs={state.runs.checked_runs()} on_notes={cb.runs.on_notes} />
                </section>
                <section class="panel models" id="models-section">
                    <h2>{"Models: gallery, import, export"}</h2>
                    <ModelsPanel has_model={state.shown.model.is_some()} busy={busy} notice={state.shown.model_notice.clone()}
                        on_gallery={cb.on_gallery} on_file={cb.on_file} on_export={cb.on_export} />
                </section>
                <section class="panel claims" id="claims-section">
                    <h2>{"Claims: each theorem, its experiment and its verdict"}</h2>
                    <ClaimsPanel loaded={loaded_construction(state)} busy={busy} live={state.grids.live.clone()}
                        custom_running={state.grids.custom_running()}
                        on_load={cb.on_construct} on_mode={cb.on_mode.clone()}
                        on_check={cb.on_grid.reform(GridJob::Live)} on_cancel={cb.on_grid_cancel.clone()} />
                    <h3>{"Your own grid: width × problem size"}</h3>
                    <SweepPanel grids={state.grids.clone()} on_run={cb.on_grid.reform(GridJob::Custom)}
                        on_cancel={cb.on_grid_cancel} />
                </section>
                <section class="panel gallery" id="gallery-section">
                    <h2>{"Task gallery"}</h2>
                    <TaskGallery />
                </section>
            </main>
            <footer class="foot">
                {"Tasks from Yang et al. 2024, Bhattamishra et al. 2024 and Merrill et al. 2022 (formats after Feng et al. 2023). Runs offline: everything happens in this tab."}
            </footer>
        </div>
    }
}
