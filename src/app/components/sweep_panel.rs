//! Your own grid: one task, sizes × widths × architectures, run in the browser with a progress
//! bar and a cancel button, accuracy per (size, width) filling in live. No claim is tested
//! here (the Claims panel's cards do that).

use yew::prelude::*;

use super::custom_grid::{CustomForm, CustomGridFields};
use super::{ProgressBar, SweepChart};
use crate::app::state::{Sweep, SweepStatus};
use crate::train::sweep::{CustomGrid, MAX_CUSTOM_RUNS, Preset, custom};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The in-tab sweep's progress and results.
    pub sweep: Sweep,
    /// Run this grid (in the training worker).
    pub on_run: Callback<CustomGrid>,
    pub on_cancel: Callback<()>,
}

/// The line under the progress bar.
fn status_line(sweep: &Sweep, grid: Option<&Preset>) -> String {
    match &sweep.status {
        SweepStatus::Idle => format!(
            "{} runs of {} steps each.",
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
        SweepStatus::Done(summary) => summary.clone(),
        SweepStatus::Cancelled => format!("Cancelled after {} runs.", sweep.results.len()),
        SweepStatus::Failed(e) => format!("Failed: {e}"),
    }
}

#[function_component(SweepPanel)]
pub fn sweep_panel(props: &Props) -> Html {
    let form = use_state(CustomForm::default);
    // The grid to run, if the form parses and every run validates.
    let (spec, grid, grid_error) = match form
        .parse()
        .and_then(|g| custom(&g).map(|grid| (g, grid)).map_err(|e| e.to_string()))
    {
        Ok((spec, grid)) => (Some(spec), Some(grid), None),
        Err(e) => (None, None, Some(e)),
    };
    let running = props.sweep.is_running();
    let on_run = {
        let (spec, on_run, on_cancel) = (spec, props.on_run.clone(), props.on_cancel.clone());
        Callback::from(move |_: MouseEvent| match (&spec, running) {
            (_, true) => on_cancel.emit(()),
            (Some(spec), false) => on_run.emit(spec.clone()),
            (None, false) => {}
        })
    };
    let on_form = {
        let form = form.clone();
        Callback::from(move |next: CustomForm| form.set(next))
    };
    let (done, total) = match &props.sweep.status {
        SweepStatus::Running { run, runs, .. } => (*run, *runs),
        _ => (
            props.sweep.results.len(),
            grid.as_ref().map_or(0, |g| g.runs.len()),
        ),
    };
    html! {
        <div class="sweep-panel" id="sweep-panel">
            <CustomGridFields form={(*form).clone()} disabled={running} on_change={on_form} />
            <p class="hint">{format!("One task; every size × width × architecture is one run (at most {MAX_CUSTOM_RUNS}). Transformers get sinusoidal positions, recurrent models none.")}</p>
            if let Some(e) = &grid_error {
                <div class="error" role="alert" id="sweep-error">{e}</div>
            }
            <div class="pickers">
                <button id="sweep-run" class={classes!("sweep-button", running.then_some("stop"))} onclick={on_run}
                    disabled={grid.is_none() && !running}>
                    { if running { "Cancel" } else { "Run the grid in this tab" } }
                </button>
            </div>
            <ProgressBar id="sweep-progress" label_id="sweep-status" unit="runs" {done} {total}
                label={status_line(&props.sweep, grid.as_ref())} />
            <SweepChart live={props.sweep.results.clone()} />
        </div>
    }
}
