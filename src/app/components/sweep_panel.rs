//! The sweep panel: pick a preset grid (scaled down) or a custom one, run it in the browser with
//! a progress bar and a cancel button, watch accuracy per (size, width) fill in live next to the
//! native results shipped in `assets/results/`, with the paper's claim under the plot.

use std::rc::Rc;

use yew::prelude::*;

use super::custom_grid::{CustomForm, CustomGridFields};
use super::{ProgressBar, SweepChart, on_select, picker};
use crate::app::state::{Sweep, SweepStatus};
use crate::train::sweep::{MAX_CUSTOM_RUNS, Preset, PresetName, SweepResults, custom, preset};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The in-tab sweep's progress and results.
    pub sweep: Sweep,
    pub on_run: Callback<Preset>,
    pub on_cancel: Callback<()>,
    /// Another grid was picked: the old results no longer apply.
    pub on_reset: Callback<()>,
}

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

/// Step-count scales offered in the page (full runs are for `lab sweep`).
const SCALES: [(f64, &str); 3] = [(0.02, "2% (seconds per run)"), (0.1, "10%"), (0.3, "30%")];

/// The line under the progress bar.
fn status_line(sweep: &Sweep, grid: Option<&Preset>) -> String {
    match &sweep.status {
        SweepStatus::Idle => format!(
            "{} runs of ~{} steps each; precomputed native results are dashed.",
            grid.map_or(0, |g| g.runs.len()),
            grid.and_then(|g| g.runs.first())
                .map_or(0, |r| r.config.steps)
        ),
        SweepStatus::Running {
            run,
            runs,
            step,
            steps,
        } => format!("run {} of {runs}: step {step} / {steps}", run + 1),
        SweepStatus::Done(verdict) => verdict.clone(),
        SweepStatus::Cancelled => format!("Cancelled after {} runs.", sweep.results.len()),
        SweepStatus::Failed(e) => format!("Failed: {e}"),
    }
}

#[function_component(SweepPanel)]
pub fn sweep_panel(props: &Props) -> Html {
    let preset_name = use_state(|| "majority".to_string());
    let scale = use_state(|| SCALES[0].0);
    let form = use_state(CustomForm::default);
    let shipped = use_memo((*preset_name).clone(), |name| native_results(name));
    let native = (*shipped).as_ref();
    let is_custom = *preset_name == "custom";
    // The grid to run: a preset, or the custom grid if it parses and validates.
    let built: Result<Preset, String> = if is_custom {
        form.parse()
            .and_then(|g| custom(&g).map_err(|e| e.to_string()))
    } else {
        preset(&preset_name, *scale).map_err(|e| e.to_string())
    };
    let (grid, grid_error) = match built {
        Ok(grid) => (Some(grid), None),
        Err(e) => (None, Some(e)),
    };
    let running = props.sweep.is_running();

    let on_preset = {
        let (preset_name, on_reset) = (preset_name.clone(), props.on_reset.clone());
        Callback::from(move |name: String| {
            preset_name.set(name);
            on_reset.emit(());
        })
    };
    let scale_cb = {
        let scale = scale.clone();
        Callback::from(move |v: f64| scale.set(v))
    };
    let on_run = {
        let (grid, on_run, on_cancel) =
            (grid.clone(), props.on_run.clone(), props.on_cancel.clone());
        Callback::from(move |_: MouseEvent| match (&grid, running) {
            (_, true) => on_cancel.emit(()),
            (Some(grid), false) => on_run.emit(grid.clone()),
            (None, false) => {}
        })
    };
    let on_form = {
        let form = form.clone();
        Callback::from(move |next: CustomForm| form.set(next))
    };
    let presets = html! {
        <>
            { for PresetName::PRESETS.iter().map(|p| html! { <option value={p.name()} selected={p.name() == *preset_name}>{p.name()}</option> }) }
            <option value="custom" selected={is_custom}>{"custom grid…"}</option>
        </>
    };
    let scales = html! {
        <>
            { for SCALES.iter().map(|(v, label)| html! { <option value={v.to_string()} selected={*v == *scale}>{*label}</option> }) }
        </>
    };
    let (done, total) = match &props.sweep.status {
        SweepStatus::Running { run, runs, .. } => (*run, *runs),
        _ => (
            props.sweep.results.len(),
            grid.as_ref().map_or(0, |g| g.runs.len()),
        ),
    };
    let native_runs = Rc::new(native.map_or_else(Vec::new, |n| n.runs.clone()));
    html! {
        <div class="sweep-panel" id="sweep-panel">
            <div class="pickers">
                { picker("sweep-preset", "Preset", presets, running, on_select(&on_preset, |v| Some(v.to_string()))) }
                if !is_custom {
                    { picker("sweep-scale", "Steps per run", scales, running, on_select(&scale_cb, |v| v.parse().ok())) }
                }
                <button id="sweep-run" class={classes!("sweep-button", running.then_some("stop"))} onclick={on_run}
                    disabled={grid.is_none() && !running}>
                    { if running { "Cancel" } else { "Run sweep in this tab" } }
                </button>
            </div>
            if is_custom {
                <CustomGridFields form={(*form).clone()} disabled={running} on_change={on_form} />
                <p class="hint">{format!("One task; every size × width × architecture is one run (at most {MAX_CUSTOM_RUNS}). Transformers get sinusoidal positions, recurrent models none.")}</p>
            }
            if let Some(e) = &grid_error {
                <div class="error" role="alert" id="sweep-error">{e}</div>
            }
            <ProgressBar id="sweep-progress" label_id="sweep-status" unit="runs" {done} {total}
                label={status_line(&props.sweep, grid.as_ref())} />
            <SweepChart native={native_runs} live={props.sweep.results.clone()} />
            <p class="claim" id="sweep-claim">{grid.as_ref().map_or(String::new(), |g| g.claim.clone())}</p>
            if let Some(n) = native {
                <p class="hint" id="sweep-native-verdict">{format!("Native run ({} runs, committed in assets/results/): the expected separation {} — {}",
                    n.runs.len(), if n.verdict.appeared { "appeared" } else { "did not appear" }, n.verdict.summary)}</p>
            }
        </div>
    }
}
