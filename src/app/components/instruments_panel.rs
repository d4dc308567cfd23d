//! The instruments on the kept model, one tab each: linear probes, head ablation, the logit
//! lens, activation patching on the shown example, and length curves laid over each other.
//! Each is measured on request in the worker ([`crate::app::worker::measure`]); this draws
//! the result, its table and its export buttons.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{AblationChart, LengthChart, LensChart, PatchingMap, ProbeChart};
use crate::app::instrument_state::Instruments;
use crate::app::wire::protocol::{InstrumentKind, Measurement};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub instruments: Instruments,
    /// A model is kept (trained or loaded) and the worker is free.
    pub has_model: bool,
    pub busy: bool,
    /// The kept model has attention heads (ablation applies).
    pub has_heads: bool,
    /// The shown example's prompt as text: the corrupted prompt starts from it.
    pub prompt: AttrValue,
    /// The model's config (JSON), written into exported files.
    pub about: AttrValue,
    pub on_tab: Callback<InstrumentKind>,
    /// Measure an instrument (patching: with the corrupted prompt).
    pub on_measure: Callback<(InstrumentKind, Option<String>)>,
    pub on_clear_curves: Callback<()>,
}

/// What a tab measures, in a sentence.
fn explain(kind: InstrumentKind) -> &'static str {
    match kind {
        InstrumentKind::Probes => {
            "Can a linear read-out of each layer's stream recover the variable the algorithm keeps (Dyck's stack depth, MAJORITY's running count, PARITY's running bit)? Fitted on half the held-out examples, scored on the other half, beside a shuffled-label control."
        }
        InstrumentKind::Ablation => {
            "Silence each attention head in turn and measure the accuracy lost on held-out examples: which heads does the task need?"
        }
        InstrumentKind::Lens => {
            "Read each layer's residual stream through the final norm and read-out: at which depth is the prediction formed?"
        }
        InstrumentKind::Patching => {
            "Run a corrupted prompt (one whose answer differs from the shown example's), put back one clean activation at a time, and see which layer and position carry what decides the answer."
        }
        InstrumentKind::Length => {
            "Evaluate the model by free generation at sizes spaced log-evenly up to its context. Each measured model adds a curve; models that differ only in their seed share one curve with a band over seeds."
        }
    }
}

fn applies(kind: InstrumentKind, props: &Props) -> Option<&'static str> {
    match kind {
        InstrumentKind::Ablation if !props.has_heads => {
            Some("This model has no attention heads to silence (recurrent models: see the probes).")
        }
        _ => None,
    }
}

#[function_component(InstrumentsPanel)]
pub fn instruments_panel(props: &Props) -> Html {
    let corrupt = use_node_ref();
    let s = &props.instruments;
    let tab = s.tab;
    let running = s.running;
    let tabs = InstrumentKind::ALL.iter().map(|&kind| {
        let on_tab = props.on_tab.clone();
        let selected = kind == tab;
        html! {
            <button type="button" role="tab" id={format!("instrument-tab-{}", kind.slug())}
                class={classes!("tab", selected.then_some("selected"))} aria-selected={selected.to_string()}
                onclick={Callback::from(move |_| on_tab.emit(kind))}>{ kind.title() }</button>
        }
    });
    let measure = {
        let (on_measure, corrupt) = (props.on_measure.clone(), corrupt.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = corrupt.cast::<HtmlInputElement>().map(|i| i.value());
            on_measure.emit((
                tab,
                if tab == InstrumentKind::Patching {
                    text
                } else {
                    None
                },
            ));
        })
    };
    let blocked = applies(tab, props);
    let disabled = !props.has_model || props.busy || running.is_some() || blocked.is_some();
    let label = match (tab, running == Some(tab)) {
        (_, true) => "Measuring…",
        (InstrumentKind::Length, false) => "Add this model's curve",
        _ => "Measure",
    };
    let result = s.result(tab);
    html! {
        <div class="instruments">
            <div class="tabs" role="tablist" aria-label="Instruments">{ for tabs }</div>
            <div role="tabpanel" id={format!("instrument-{}", tab.slug())} aria-labelledby={format!("instrument-tab-{}", tab.slug())}>
                <p class="note">{ explain(tab) }</p>
                <form class="instrument-controls" onsubmit={measure}>
                    if tab == InstrumentKind::Patching {
                        <label for="patch-corrupt">{"Corrupted prompt"}</label>
                        <input id="patch-corrupt" ref={corrupt} type="text" value={props.prompt.clone()}
                            aria-describedby="patch-hint" />
                        <span class="hint" id="patch-hint">{"Same length as the shown example; change a token so that the answer changes. The clean run is the example the player shows."}</span>
                    }
                    <button id="instrument-measure" class="small-button" type="submit" {disabled}>{ label }</button>
                    if tab == InstrumentKind::Length && !s.curves.is_empty() {
                        <button id="length-clear" class="small-button" type="button" disabled={running.is_some()}
                            onclick={props.on_clear_curves.reform(|_| ())}>{"Clear curves"}</button>
                    }
                    if !props.has_model {
                        <span class="hint">{"Train a model or load one first."}</span>
                    }
                </form>
                if let Some(why) = blocked {
                    <p class="note">{ why }</p>
                }
                { view(tab, result, s, &props.about) }
            </div>
        </div>
    }
}

/// The tab's result: its chart and table, or why the instrument does not apply.
fn view(
    tab: InstrumentKind,
    result: Option<Rc<Result<Measurement, String>>>,
    s: &Instruments,
    about: &AttrValue,
) -> Html {
    let about = about.clone();
    if tab == InstrumentKind::Length && !s.curves.is_empty() {
        let error = match result.as_deref() {
            Some(Err(why)) => {
                html! { <p class="error" role="alert" id="instrument-error">{ why.clone() }</p> }
            }
            _ => html! {},
        };
        return html! { <>{ error }<LengthChart curves={s.curves.clone()} {about} /></> };
    }
    match result.as_deref() {
        None => html! {},
        Some(Err(why)) => {
            html! { <p class="error" role="alert" id="instrument-error">{ why.clone() }</p> }
        }
        Some(Ok(m)) => match m {
            Measurement::Probes(p) => html! { <ProbeChart probes={p.clone()} {about} /> },
            Measurement::Ablation(a) => html! { <AblationChart ablation={a.clone()} {about} /> },
            Measurement::Lens(l) => html! { <LensChart lens={l.clone()} {about} /> },
            Measurement::Patching(v) => html! { <PatchingMap view={v.clone()} {about} /> },
            Measurement::Length(_) => html! {},
        },
    }
}
