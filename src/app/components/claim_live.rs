//! A claim card's "check live": the reduced design (stated), a button that runs it in this tab
//! or cancels it, a progress bar, and the check's own verdict and plot when it ends.

use yew::prelude::*;

use super::claim_sides::verdict_badge;
use super::{ClaimPlot, ProgressBar};
use crate::app::state::{GridResult, GridStatus};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The claim's id (element ids use it).
    pub claim: AttrValue,
    /// What the check runs, in words.
    pub design: AttrValue,
    /// This claim's last live check, if any.
    pub live: Option<GridStatus>,
    /// Another grid is running (one at a time): another claim's check or your grid.
    pub elsewhere: bool,
    pub on_check: Callback<String>,
    pub on_cancel: Callback<()>,
}

fn status_line(live: Option<&GridStatus>) -> String {
    match live {
        None => "Not run in this tab yet.".into(),
        Some(GridStatus::Running {
            run,
            runs,
            step,
            steps,
            current,
        }) => {
            if *steps == 0 {
                format!("run {} of {runs}: {current}", run + 1)
            } else {
                format!(
                    "run {} of {runs}: {current}, step {step} / {steps}",
                    run + 1
                )
            }
        }
        Some(GridStatus::Done {
            result: GridResult::Verdict(verdict),
            ..
        }) => format!("Done: {}", verdict.outcome.name().to_lowercase()),
        Some(GridStatus::Done { .. }) => "Done.".into(),
        Some(GridStatus::Cancelled { run, runs }) => {
            format!("Cancelled after {run} of {runs} runs: no verdict.")
        }
        Some(GridStatus::Failed(e)) => format!("Failed: {e}"),
    }
}

#[function_component(ClaimLive)]
pub fn claim_live(props: &Props) -> Html {
    let id = props.claim.as_str();
    let running = props.live.as_ref().is_some_and(GridStatus::is_running);
    let onclick = {
        let (on_check, on_cancel, id) = (
            props.on_check.clone(),
            props.on_cancel.clone(),
            id.to_string(),
        );
        Callback::from(move |_: MouseEvent| {
            if running {
                on_cancel.emit(());
            } else {
                on_check.emit(id.clone());
            }
        })
    };
    let (done, total) = props
        .live
        .as_ref()
        .and_then(GridStatus::progress)
        .unwrap_or((0, 0));
    html! {
        <div class="claim-live" id={format!("live-{id}")}>
            <div class="claim-row">
                <button id={format!("live-run-{id}")} class={classes!("sweep-button", running.then_some("stop"))}
                    disabled={props.elsewhere && !running} {onclick}>
                    { if running { "Cancel" } else { "Check live in this tab" } }
                </button>
                <span class="hint">{props.design.clone()}</span>
            </div>
            if props.live.is_some() {
                <ProgressBar id={format!("live-progress-{id}")} label_id={format!("live-status-{id}")} unit="runs"
                    {done} {total} label={status_line(props.live.as_ref())} />
            }
            if let Some(GridStatus::Done { result: GridResult::Verdict(v), .. }) = &props.live {
                <div class="claim-verdict live" id={format!("live-verdict-{id}")} data-outcome={v.outcome.name()}>
                    { verdict_badge(Some(v.outcome)) }
                    <span class="summary">{format!("In this tab: {}", v.summary)}</span>
                </div>
                <ClaimPlot claim={props.claim.clone()} verdict={v.clone()} id={format!("live-plot-{id}")} />
            }
        </div>
    }
}
