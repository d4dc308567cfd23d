//! The web page (wasm only): yew components over `train`. No tensor math here.

pub mod components;
pub mod files;
pub mod runner;
pub mod state;
pub mod url;

use std::cell::Cell;
use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::models::AttentionMode;
use crate::train::checkpoint::MAX_BYTES;
use components::models_panel::{ExportKind, GalleryEntry};
use components::{
    AttentionMap, BackendBadge, ConfigPanel, CostMeter, CotPlayer, LossChart, ModelsPanel,
    ProgressBar, SweepPanel, TaskGallery,
};
use state::{Action, AppState, Status};

/// Mount the app on `#app` (replacing the loading message), or on `<body>`.
pub fn start() {
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

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::from_url);
    let cancel = use_mut_ref(|| Rc::new(Cell::new(false)));
    let trained: runner::TrainedSlot = use_mut_ref(|| None);

    // Keep the URL in step with the configuration (a link reproduces the setup).
    {
        let config = state.config.clone();
        let choice = state.backend_choice;
        use_effect_with((config, choice), |(config, choice)| {
            url::write(config, *choice);
        });
    }

    // ←/→ step through the chain of thought, unless the user is typing in a field.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::document(), "keydown", move |event| {
                let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                let typing = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                    });
                if typing {
                    return;
                }
                match event.key().as_str() {
                    "ArrowRight" => dispatch.dispatch(Action::CotStep(1)),
                    "ArrowLeft" => dispatch.dispatch(Action::CotStep(-1)),
                    _ => {}
                }
            });
            move || drop(listener)
        });
    }

    let on_train = {
        let state = state.clone();
        let cancel = cancel.clone();
        let trained = trained.clone();
        Callback::from(move |_: MouseEvent| {
            if state.status.is_busy() {
                cancel.borrow().set(true);
                return;
            }
            let flag = Rc::new(Cell::new(false));
            *cancel.borrow_mut() = flag.clone();
            runner::spawn(
                state.config.clone(),
                state.backend_choice,
                state.dispatcher(),
                flag,
                trained.clone(),
            );
        })
    };
    let on_mode = {
        let state = state.clone();
        let trained = trained.clone();
        move |mode: AttentionMode| {
            let state = state.clone();
            let trained = trained.clone();
            Callback::from(move |_: MouseEvent| {
                if !state.status.is_busy() && state.inference_mode != mode {
                    runner::reinspect(mode, 1.0, trained.clone(), state.dispatcher());
                }
            })
        }
    };
    let on_gallery = {
        let state = state.clone();
        let trained = trained.clone();
        Callback::from(move |entry: GalleryEntry| {
            if state.status.is_busy() {
                return;
            }
            let dispatch = state.dispatcher();
            let choice = state.backend_choice;
            let trained = trained.clone();
            dispatch.dispatch(Action::ModelNotice(Ok(format!(
                "Fetching “{}”…",
                entry.title
            ))));
            wasm_bindgen_futures::spawn_local(async move {
                match files::fetch_bytes(&format!("models/{}.safetensors", entry.name)).await {
                    Ok(bytes) => runner::load_checkpoint(
                        bytes,
                        format!("gallery model “{}”", entry.title),
                        choice,
                        dispatch,
                        trained,
                    ),
                    Err(e) => dispatch.dispatch(Action::ModelNotice(Err(e))),
                }
            });
        })
    };
    let on_file = {
        let state = state.clone();
        let trained = trained.clone();
        Callback::from(move |file: web_sys::File| {
            if state.status.is_busy() {
                return;
            }
            let dispatch = state.dispatcher();
            let choice = state.backend_choice;
            let trained = trained.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match files::read_file(&file, MAX_BYTES).await {
                    Ok(bytes) => runner::load_checkpoint(
                        bytes,
                        format!("“{}”", file.name()),
                        choice,
                        dispatch,
                        trained,
                    ),
                    Err(e) => dispatch.dispatch(Action::ModelNotice(Err(e))),
                }
            });
        })
    };
    let on_export = {
        let state = state.clone();
        let trained = trained.clone();
        Callback::from(move |kind: ExportKind| {
            let dispatch = state.dispatcher();
            let trained = trained.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = runner::export(&trained).await.and_then(|out| match kind {
                    ExportKind::Safetensors => {
                        let name = format!("{}.safetensors", out.stem);
                        files::download(&name, &out.safetensors, "application/octet-stream")
                            .map(|()| format!("Exported {name} ({} bytes).", out.safetensors.len()))
                    }
                    ExportKind::Json => {
                        let name = format!("{}.json", out.stem);
                        files::download(&name, out.json.as_bytes(), "application/json")
                            .map(|()| format!("Exported {name}."))
                    }
                });
                dispatch.dispatch(Action::ModelNotice(result));
            });
        })
    };
    let show_modes = state.has_model
        && state.inspection.as_ref().is_some_and(|i| i.n_layers > 0)
        && state.config.architecture.has_attention_modes();

    let busy = state.status.is_busy();
    let (done, total) = state.progress();
    html! {
        <div class="app">
            <header class="top">
                <div class="brand">
                    <h1>{"Expressivity Lab"}</h1>
                    <p class="tagline">{"Train small sequence models in your browser and see what transformers can and cannot do."}</p>
                </div>
                <BackendBadge info={state.backend.clone()} choice={state.backend_choice} />
            </header>
            if let Some(notice) = &state.notice {
                <div class="notice" role="status">{notice}</div>
            }
            <main class="layout">
                <aside class="panel config">
                    <ConfigPanel
                        config={state.config.clone()}
                        choice={state.backend_choice}
                        disabled={busy}
                        on_action={state.dispatcher()}
                    />
                    <button id="train" class={classes!("train-button", busy.then_some("stop"))} onclick={on_train}>
                        { if busy { "Stop" } else { "Train" } }
                    </button>
                    <ProgressBar done={done} total={total} label={state.status.label()} rate={state.steps_per_second} />
                    if let Status::Failed(message) = &state.status {
                        <div class="error" role="alert">{message}</div>
                    }
                </aside>
                <section class="panel chart">
                    <h2>{"Training"}</h2>
                    <LossChart history={state.history.clone()} total_steps={state.run_steps} greedy={state.greedy} />
                </section>
                <section class="panel cost">
                    <h2>{"Cost per generated token"}</h2>
                    <CostMeter config={state.config.model().ok()} />
                </section>
                <section class="panel attention">
                    <h2>{ if state.inspection.as_ref().is_some_and(|i| i.n_layers == 0) { "Recurrent state" } else { "Attention map" } }</h2>
                    if show_modes {
                        <div class="mode-switch" id="mode-switch" title="Run the trained weights with another attention rule">
                            <span>{"Inference attention:"}</span>
                            { for AttentionMode::ALL.iter().map(|&m| html! {
                                <button id={format!("mode-{}", m.name())}
                                    class={classes!((state.inference_mode == m).then_some("on"))}
                                    disabled={busy}
                                    onclick={on_mode(m)}>{m.name()}</button>
                            }) }
                        </div>
                    }
                    <AttentionMap
                        inspection={state.inspection.clone()}
                        layer={state.layer}
                        head={state.head}
                        focus={state.focus_position()}
                        on_action={state.dispatcher()}
                    />
                </section>
                <section class="panel cot">
                    <h2>{"Chain-of-thought player"}</h2>
                    <CotPlayer
                        inspection={state.inspection.clone()}
                        step={state.cot_step}
                        layer={state.layer}
                        head={state.head}
                        on_action={state.dispatcher()}
                    />
                </section>
                <section class="panel models">
                    <h2>{"Models: gallery, import, export"}</h2>
                    <ModelsPanel
                        has_model={state.has_model}
                        busy={busy}
                        notice={state.model_notice.clone()}
                        on_gallery={on_gallery}
                        on_file={on_file}
                        on_export={on_export}
                    />
                </section>
                <section class="panel sweeps">
                    <h2>{"Sweeps: width × problem size"}</h2>
                    <SweepPanel />
                </section>
                <section class="panel gallery">
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
