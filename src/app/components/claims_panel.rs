//! The Claims panel: every claim of `claims::registry` as a card (statement, sides, committed
//! verdict and plot, construction, live check), with an overview of the verdicts on top.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use super::ClaimCard;
use super::claim_construction::LoadedConstruction;
use super::claim_sides::verdict_badge;
use crate::app::state::GridStatus;
use crate::claims::{registry, results};
use crate::models::AttentionMode;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The kept model's construction (its name) and what the cards show of it.
    pub loaded: Option<(String, LoadedConstruction)>,
    pub busy: bool,
    /// The last live check of each claim, by id.
    pub live: Rc<BTreeMap<String, GridStatus>>,
    /// Your grid is running (the worker runs one grid at a time).
    pub custom_running: bool,
    pub on_load: Callback<(String, usize)>,
    pub on_mode: Callback<AttentionMode>,
    pub on_check: Callback<String>,
    pub on_cancel: Callback<()>,
}

#[function_component(ClaimsPanel)]
pub fn claims_panel(props: &Props) -> Html {
    let claims = use_memo((), |_| registry::all());
    // The committed verdict of each claim, parsed once.
    let verdicts = use_memo((), |_| {
        registry::all()
            .iter()
            .map(|c| {
                results::for_claim(c.id)
                    .and_then(Result::ok)
                    .map(|r| r.verdict)
            })
            .collect::<Vec<_>>()
    });
    let running = props
        .live
        .iter()
        .find(|(_, status)| status.is_running())
        .map(|(id, _)| id.as_str());
    let overview = claims.iter().zip(verdicts.iter()).map(|(c, verdict)| {
        let grid = verdict
            .as_ref()
            .map_or("", |v| if v.quick { " (quick)" } else { "" });
        html! {
            <a class="claim-chip" href={format!("#claim-{}", c.id)}>
                <code>{c.id}</code>{ verdict_badge(verdict.as_ref().map(|v| v.outcome)) }<span class="hint">{grid}</span>
            </a>
        }
    });
    let cards = claims.iter().map(|c| {
        let loaded = props
            .loaded
            .as_ref()
            .filter(|(name, _)| c.construction == Some(name.as_str()))
            .map(|(_, l)| l.clone());
        let live = props.live.get(c.id).cloned();
        html! {
            <ClaimCard claim={c.id} {loaded} busy={props.busy} {live}
                live_elsewhere={props.custom_running || running.is_some_and(|id| id != c.id)}
                on_load={props.on_load.clone()} on_mode={props.on_mode.clone()}
                on_check={props.on_check.clone()} on_cancel={props.on_cancel.clone()} />
        }
    });
    html! {
        <div class="claims-panel" id="claims-panel">
            <p class="hint">{"Each claim of the three papers with the experiment fixed before running, the \
                verdict of the committed native runs (lab claims run) with 95 % bootstrap intervals over \
                seeds and test examples, the construction that shows its positive side, and a reduced \
                check you can run in this tab."}</p>
            <nav class="claim-overview">{ for overview }</nav>
            <div class="claim-grid">{ for cards }</div>
        </div>
    }
}
