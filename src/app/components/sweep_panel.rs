//! The sweep panel: run a preset grid in the browser (scaled down) with a progress bar and a
//! cancel button, watch accuracy per (size, width) fill in live, next to the native results
//! shipped in `assets/results/`, with the paper's claim under the plot.

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use crate::models::Architecture;
use crate::tasks::TaskKind;
use crate::train::sweep::{
    CustomGrid, MAX_CUSTOM_RUNS, PRESETS, Preset, RunResult, SweepResults, custom, preset, run_one,
};
use crate::train::{BackendChoice, backend};

/// Native results computed with `lab sweep` (see assets/results/README.md), built into the page
/// so that it works offline.
fn native_results(name: &str) -> Option<SweepResults> {
    let json = match name {
        "index-lookup" => include_str!("../../../assets/results/index-lookup.json"),
        "dyck" => include_str!("../../../assets/results/dyck.json"),
        "equality" => include_str!("../../../assets/results/equality.json"),
        "dp-width" => include_str!("../../../assets/results/dp-width.json"),
        "majority" => include_str!("../../../assets/results/majority.json"),
        _ => return None,
    };
    serde_json::from_str(json).ok()
}

/// The custom grid as typed (lists as text, parsed on every render).
#[derive(Clone, PartialEq)]
struct CustomForm {
    task: TaskKind,
    sizes: String,
    widths: String,
    archs: Vec<Architecture>,
    layers: String,
    steps: String,
}

impl Default for CustomForm {
    fn default() -> Self {
        Self {
            task: TaskKind::Parity,
            sizes: "8, 16".into(),
            widths: "16, 32".into(),
            archs: vec![Architecture::Standard, Architecture::Lstm],
            layers: "1".into(),
            steps: "100".into(),
        }
    }
}

fn parse_list(field: &str, text: &str) -> Result<Vec<usize>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<usize>()
                .map_err(|_| format!("{field}: `{t}` is not a whole number"))
        })
        .collect()
}

impl CustomForm {
    fn parse(&self) -> Result<CustomGrid, String> {
        let one = |field: &str, text: &str| match parse_list(field, text)?.as_slice() {
            [v] => Ok(*v),
            _ => Err(format!("{field}: enter one whole number")),
        };
        Ok(CustomGrid {
            task: self.task,
            sizes: parse_list("sizes", &self.sizes)?,
            widths: parse_list("widths", &self.widths)?,
            architectures: self.archs.clone(),
            layers: one("layers", &self.layers)?,
            steps: one("steps", &self.steps)?,
        })
    }
}

/// Step-count scales offered in the page (full runs are for `lab sweep`).
const SCALES: [(f64, &str); 3] = [(0.02, "2% (seconds per run)"), (0.1, "10%"), (0.3, "30%")];

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Running {
        run: usize,
        runs: usize,
        step: usize,
        steps: usize,
    },
    Done(String),
    Cancelled,
    Failed(String),
}

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 34.0;
const COLOURS: [&str; 9] = [
    "#1f4e9c", "#c2571a", "#0f8a6a", "#7b3fa0", "#b8860b", "#c0304a", "#4a7f2a", "#6b6b6b",
    "#2a8fbf",
];

/// Columns (size, width) and one accuracy per series and column.
fn columns(sets: &[&[RunResult]]) -> Vec<(usize, usize)> {
    let mut c: Vec<(usize, usize)> = sets
        .iter()
        .flat_map(|s| s.iter().map(|r| (r.size, r.width)))
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

fn series_names(sets: &[&[RunResult]]) -> Vec<String> {
    let mut names: Vec<String> = sets
        .iter()
        .flat_map(|s| s.iter().map(|r| r.series.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[function_component(SweepPanel)]
pub fn sweep_panel() -> Html {
    let preset_name = use_state(|| "majority".to_string());
    let scale = use_state(|| SCALES[0].0);
    let live = use_state(Vec::<RunResult>::new);
    let status = use_state(|| Status::Idle);
    let cancel = use_mut_ref(|| Rc::new(Cell::new(false)));
    let form = use_state(CustomForm::default);
    let is_custom = *preset_name == "custom";
    // The grid to run: a preset, or the custom grid if it parses and validates.
    let built: Result<Preset, String> = if is_custom {
        form.parse().and_then(|g| custom(&g))
    } else {
        preset(&preset_name, *scale)
    };
    let grid_error = built.as_ref().err().cloned();
    let grid = built.ok();
    let native = native_results(&preset_name);
    let running = matches!(*status, Status::Running { .. });

    let on_preset = {
        let preset_name = preset_name.clone();
        let live = live.clone();
        let status = status.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            preset_name.set(select.value());
            live.set(Vec::new());
            status.set(Status::Idle);
        })
    };
    let on_scale = {
        let scale = scale.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(v) = select.value().parse() {
                scale.set(v);
            }
        })
    };
    let on_run = {
        let status = status.clone();
        let live = live.clone();
        let cancel = cancel.clone();
        let grid = grid.clone();
        Callback::from(move |_: MouseEvent| {
            if matches!(*status, Status::Running { .. }) {
                cancel.borrow().set(true);
                return;
            }
            let Some(grid) = grid.clone() else {
                return;
            };
            let flag = Rc::new(Cell::new(false));
            *cancel.borrow_mut() = flag.clone();
            let status = status.clone();
            let live = live.clone();
            live.set(Vec::new());
            wasm_bindgen_futures::spawn_local(async move {
                let (device, _) = backend::select(BackendChoice::Auto).await;
                let runs = grid.runs.len();
                let mut results: Vec<RunResult> = Vec::new();
                for (i, run) in grid.runs.iter().enumerate() {
                    let steps = run.config.steps;
                    let mut last_shown = 0;
                    let progress = status.clone();
                    let flag = flag.clone();
                    let outcome = run_one(run, &device, |step| {
                        if step >= last_shown + 10 || step == steps {
                            last_shown = step;
                            progress.set(Status::Running {
                                run: i,
                                runs,
                                step,
                                steps,
                            });
                        }
                        !flag.get()
                    })
                    .await;
                    match outcome {
                        Ok(r) => {
                            results.push(r);
                            live.set(results.clone());
                        }
                        Err(crate::train::TrainError::Cancelled) => {
                            status.set(Status::Cancelled);
                            return;
                        }
                        Err(e) => {
                            status.set(Status::Failed(e.to_string()));
                            return;
                        }
                    }
                }
                let verdict = grid.judge(&results);
                status.set(Status::Done(if grid.tests_claim {
                    format!(
                        "In this browser: the expected separation {} — {}",
                        if verdict.appeared {
                            "appeared"
                        } else {
                            "did not appear"
                        },
                        verdict.summary
                    )
                } else {
                    format!("In this browser: {}", verdict.summary)
                }));
            });
        })
    };

    let text_field = |id: &'static str,
                      label: &'static str,
                      value: String,
                      apply: fn(&mut CustomForm, String)| {
        let form = form.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            apply(&mut next, input.value());
            form.set(next);
        });
        html! {
            <label class="picker" for={id}>
                <span>{label}</span>
                <input id={id} type="text" {value} {onchange} disabled={running} />
            </label>
        }
    };
    let on_custom_task = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(task) = TaskKind::from_name(&select.value()) {
                form.set(CustomForm {
                    task,
                    ..(*form).clone()
                });
            }
        })
    };
    let arch_box = |arch: Architecture| {
        let form = form.clone();
        let checked = form.archs.contains(&arch);
        let onchange = Callback::from(move |_: Event| {
            let mut next = (*form).clone();
            if next.archs.contains(&arch) {
                next.archs.retain(|a| *a != arch);
            } else {
                next.archs.push(arch);
                next.archs
                    .sort_by_key(|a| Architecture::ALL.iter().position(|b| b == a));
            }
            form.set(next);
        });
        html! {
            <label class="check">
                <input type="checkbox" id={format!("custom-arch-{}", arch.name())} {checked} {onchange} disabled={running} />
                {arch.name()}
            </label>
        }
    };
    let custom_fields = html! {
        <div class="pickers custom-grid" id="custom-grid">
            <label class="picker" for="custom-task">
                <span>{"Task"}</span>
                <select id="custom-task" onchange={on_custom_task} disabled={running}>
                    { for TaskKind::all().iter().map(|k| html! {
                        <option value={k.name()} selected={*k == form.task}>{k.name()}</option>
                    }) }
                </select>
            </label>
            { text_field("custom-sizes", "Sizes", form.sizes.clone(), |f, v| f.sizes = v) }
            { text_field("custom-widths", "Widths", form.widths.clone(), |f, v| f.widths = v) }
            { text_field("custom-layers", "Layers", form.layers.clone(), |f, v| f.layers = v) }
            { text_field("custom-steps", "Steps per run", form.steps.clone(), |f, v| f.steps = v) }
            <div class="archs">{ for Architecture::ALL.iter().map(|&a| arch_box(a)) }</div>
        </div>
    };

    let native_runs: &[RunResult] = native.as_ref().map_or(&[], |n| n.runs.as_slice());
    let sets = [native_runs, live.as_slice()];
    let cols = columns(&sets);
    let names = series_names(&sets);
    let x_of = |i: usize| LEFT + (W - LEFT - RIGHT) * (i as f64 + 0.5) / cols.len().max(1) as f64;
    let y_of = |a: f32| TOP + (H - TOP - BOTTOM) * (1.0 - f64::from(a.clamp(0.0, 1.0)));
    let points = |runs: &[RunResult], name: &str| -> Vec<(f64, f64)> {
        cols.iter()
            .enumerate()
            .filter_map(|(i, (s, w))| {
                runs.iter()
                    .find(|r| r.series == name && r.size == *s && r.width == *w)
                    .map(|r| (x_of(i), y_of(r.accuracy)))
            })
            .collect()
    };
    let line = |p: &[(f64, f64)]| -> String {
        p.iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (done_runs, total_runs) = match &*status {
        Status::Running { run, runs, .. } => (*run, *runs),
        _ => (live.len(), grid.as_ref().map_or(0, |g| g.runs.len())),
    };
    let status_line = match &*status {
        Status::Idle => format!(
            "{} runs of ~{} steps each; precomputed native results are dashed.",
            total_runs,
            grid.as_ref()
                .and_then(|g| g.runs.first())
                .map_or(0, |r| r.config.steps)
        ),
        Status::Running {
            run,
            runs,
            step,
            steps,
        } => {
            format!("run {} of {runs}: step {step} / {steps}", run + 1)
        }
        Status::Done(verdict) => verdict.clone(),
        Status::Cancelled => format!("Cancelled after {} runs.", live.len()),
        Status::Failed(e) => format!("Failed: {e}"),
    };
    let percent = if total_runs == 0 {
        0.0
    } else {
        100.0 * done_runs as f64 / total_runs as f64
    };
    html! {
        <div class="sweep-panel" id="sweep-panel">
            <div class="pickers">
                <label class="picker" for="sweep-preset">
                    <span>{"Preset"}</span>
                    <select id="sweep-preset" onchange={on_preset} disabled={running}>
                        { for PRESETS.iter().map(|p| html! {
                            <option value={*p} selected={*p == *preset_name}>{*p}</option>
                        }) }
                        <option value="custom" selected={is_custom}>{"custom grid…"}</option>
                    </select>
                </label>
                if !is_custom {
                    <label class="picker" for="sweep-scale">
                        <span>{"Steps per run"}</span>
                        <select id="sweep-scale" onchange={on_scale} disabled={running}>
                            { for SCALES.iter().map(|(v, label)| html! {
                                <option value={v.to_string()} selected={*v == *scale}>{*label}</option>
                            }) }
                        </select>
                    </label>
                }
                <button id="sweep-run" class={classes!("sweep-button", running.then_some("stop"))} onclick={on_run}
                    disabled={grid.is_none() && !running}>
                    { if running { "Cancel" } else { "Run sweep in this tab" } }
                </button>
            </div>
            if is_custom {
                { custom_fields }
                <p class="hint">{format!("One task; every size × width × architecture is one run (at most {MAX_CUSTOM_RUNS}). Transformers get sinusoidal positions, recurrent models none.")}</p>
            }
            if let Some(e) = &grid_error {
                <div class="error" role="alert" id="sweep-error">{e}</div>
            }
            <div class="progress" id="sweep-progress">
                <div class="progress-track"><div class="progress-fill" style={format!("width:{percent:.1}%")}></div></div>
                <div class="progress-label" id="sweep-status">{status_line}</div>
            </div>
            <svg viewBox={format!("0 0 {W} {H}")} class="sweep-chart">
                <line x1={LEFT.to_string()} y1={(H - BOTTOM).to_string()} x2={(W - RIGHT).to_string()} y2={(H - BOTTOM).to_string()} class="axis" />
                { for [0.0f32, 0.5, 1.0].iter().map(|a| html! {
                    <g>
                        <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y_of(*a).to_string()} y2={y_of(*a).to_string()} class="grid" />
                        <text x={(LEFT - 4.0).to_string()} y={(y_of(*a) + 3.0).to_string()} text-anchor="end" class="tick">{format!("{:.0}%", a * 100.0)}</text>
                    </g>
                }) }
                { for cols.iter().enumerate().map(|(i, (s, _))| html! {
                    <text x={x_of(i).to_string()} y={(H - BOTTOM + 12.0).to_string()} text-anchor="middle" class="tick">{format!("n={s}")}</text>
                }) }
                { for cols.iter().enumerate().map(|(i, (_, w))| html! {
                    <text x={x_of(i).to_string()} y={(H - BOTTOM + 24.0).to_string()} text-anchor="middle" class="tick">{format!("d={w}")}</text>
                }) }
                { for names.iter().enumerate().map(|(k, name)| {
                    let colour = COLOURS[k % COLOURS.len()];
                    let native_points = points(native_runs, name);
                    let live_points = points(&live, name);
                    html! {
                        <g class="series" data-series={name.clone()}>
                            if !native_points.is_empty() {
                                <polyline points={line(&native_points)} stroke={colour} class="native" fill="none" />
                            }
                            { for native_points.iter().map(|(x, y)| html! {
                                <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="3.5" stroke={colour} class="native" fill="white" />
                            }) }
                            if !live_points.is_empty() {
                                <polyline points={line(&live_points)} stroke={colour} class="live" fill="none" />
                            }
                            { for live_points.iter().map(|(x, y)| html! {
                                <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="2.5" fill={colour} class="live" />
                            }) }
                            <text x={(W - RIGHT + 6.0).to_string()} y={(TOP + 10.0 + 11.0 * k as f64).to_string()} fill={colour} class="series-label">{name.clone()}</text>
                        </g>
                    }
                }) }
            </svg>
            <p class="claim" id="sweep-claim">{grid.as_ref().map_or(String::new(), |g| g.claim.clone())}</p>
            if let Some(n) = &native {
                <p class="hint" id="sweep-native-verdict">{format!("Native run ({} runs, committed in assets/results/): the expected separation {} — {}",
                    n.runs.len(), if n.verdict.appeared { "appeared" } else { "did not appear" }, n.verdict.summary)}</p>
            }
        </div>
    }
}
