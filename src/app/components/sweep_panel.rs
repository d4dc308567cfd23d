//! Your own grid: one task, sizes × widths × architectures, run in the browser by the claims'
//! engine (the worker's one grid runner) with a progress bar and a cancel button; accuracy per
//! (size, width) fills in live, and the end says w*(N) per series beside the constant
//! predictor. No claim is tested here (the Claims panel's cards do that).

use yew::prelude::*;

use super::custom_grid::{CustomForm, CustomGridFields};
use super::{ProgressBar, SweepChart};
use crate::app::state::{GridResult, GridStatus, Grids};
use crate::claims::custom::{CustomGrid, CustomPlan, MAX_CUSTOM_RUNS};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The grids of this tab (yours, and whether a claim's check runs).
    pub grids: Grids,
    /// Run this grid (in the training worker).
    pub on_run: Callback<CustomGrid>,
    pub on_cancel: Callback<()>,
}

/// The line under the progress bar.
fn status_line(grids: &Grids, plan: Option<&CustomPlan>) -> String {
    match &grids.custom {
        None => format!(
            "{} runs of {} steps each, judged on {}.",
            plan.map_or(0, |p| p.runs.len()),
            plan.map_or(0, |p| p.grid.steps),
            plan.map_or("held-out accuracy", |p| p.metric.name())
        ),
        Some(GridStatus::Running {
            run,
            runs,
            step,
            steps,
            ..
        }) => format!("run {} of {runs}: step {step} / {steps}", run + 1),
        Some(GridStatus::Done {
            result: GridResult::Survey(survey),
            ..
        }) => format!("In this browser: {}", survey.summary()),
        Some(GridStatus::Done { .. }) => "Done.".into(),
        Some(GridStatus::Cancelled { run, .. }) => format!("Cancelled after {run} runs."),
        Some(GridStatus::Failed(e)) => format!("Failed: {e}"),
    }
}

#[function_component(SweepPanel)]
pub fn sweep_panel(props: &Props) -> Html {
    let form = use_state(CustomForm::default);
    // The grid to run, if the form parses and every run validates.
    let (plan, grid_error) = match form
        .parse()
        .and_then(|g| g.plan().map_err(|e| e.to_string()))
    {
        Ok(plan) => (Some(plan), None),
        Err(e) => (None, Some(e)),
    };
    let running = props.grids.custom_running();
    // A claim's live check holds the worker's grid runner.
    let check_running = props.grids.live.values().any(GridStatus::is_running);
    let on_run = {
        let grid = plan.as_ref().map(|p| p.grid.clone());
        let (on_run, on_cancel) = (props.on_run.clone(), props.on_cancel.clone());
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
    let (done, total) = match &props.grids.custom {
        Some(status) if running => status.progress().unwrap_or((0, 0)),
        _ => (
            props.grids.records.len(),
            plan.as_ref().map_or(0, |p| p.runs.len()),
        ),
    };
    let survey = match &props.grids.custom {
        Some(GridStatus::Done {
            result: GridResult::Survey(survey),
            ..
        }) => Some(survey.clone()),
        _ => None,
    };
    html! {
        <div class="sweep-panel" id="sweep-panel">
            <CustomGridFields form={(*form).clone()} disabled={running} on_change={on_form} />
            <p class="hint">{format!("One task; every size × width × architecture is one run of one seed (at most {MAX_CUSTOM_RUNS}), \
                trained and scored as a claim's grid is. Transformers get sinusoidal positions, recurrent models none.")}</p>
            if let Some(e) = &grid_error {
                <div class="error" role="alert" id="sweep-error">{e}</div>
            }
            if check_running && !running {
                <p class="hint" id="sweep-busy">{"A claim's live check is running: the grid can start once it ends (or is cancelled)."}</p>
            }
            <div class="pickers">
                <button id="sweep-run" class={classes!("sweep-button", running.then_some("stop"))} onclick={on_run}
                    disabled={(plan.is_none() || check_running) && !running}>
                    { if running { "Cancel" } else { "Run the grid in this tab" } }
                </button>
            </div>
            <ProgressBar id="sweep-progress" label_id="sweep-status" unit="runs" {done} {total}
                label={status_line(&props.grids, plan.as_ref())} />
            <SweepChart records={props.grids.records.clone()} survey={survey} />
        </div>
    }
}
