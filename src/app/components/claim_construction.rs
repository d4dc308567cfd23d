//! A claim card's construction: build the hand-set weights in the page in one click (they go
//! to the attention map or state view like a loaded checkpoint), switch the attention mode,
//! and read the held-out accuracy under the current mode.

use yew::prelude::*;

use super::{ModeSwitch, on_select};
use crate::claims::{Claim, construct};
use crate::models::AttentionMode;
use crate::train::GreedyReport;

/// The kept model when it is this claim's construction.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedConstruction {
    pub size: usize,
    pub mode: AttentionMode,
    /// Whether the model has attention modes (a recurrent construction has none).
    pub has_modes: bool,
    /// Accuracy under `mode`; `None` while it is evaluated.
    pub greedy: Option<GreedyReport>,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The claim's id (element ids use it).
    pub claim: AttrValue,
    pub construction: &'static str,
    /// Sizes offered: the claim's grid sizes the construction is built for.
    pub sizes: Vec<usize>,
    pub loaded: Option<LoadedConstruction>,
    pub busy: bool,
    /// Build construction NAME at a size.
    pub on_load: Callback<(String, usize)>,
    pub on_mode: Callback<AttentionMode>,
}

/// The sizes of `claim`'s full grid that its construction is built for.
pub fn construction_sizes(claim: &Claim) -> Option<(&'static str, Vec<usize>)> {
    let name = claim.construction?;
    let built = construct::find(name).ok()?;
    let sizes = claim
        .full
        .sizes
        .iter()
        .copied()
        .filter(|n| (built.min_size..=built.max_size).contains(n))
        .collect();
    Some((name, sizes))
}

fn accuracy_line(id: &str, loaded: &LoadedConstruction) -> Html {
    let mode = loaded.mode.name();
    // A recurrent construction has no attention to switch.
    let under = if loaded.has_modes {
        format!("N = {}, {mode} attention", loaded.size)
    } else {
        format!("N = {}", loaded.size)
    };
    match &loaded.greedy {
        Some(g) => html! {
            <div class="readout claim-accuracy" id={format!("claim-accuracy-{id}")}
                data-mode={mode} data-accuracy={format!("{:.4}", g.answer)}>
                {format!("{under}: {:.1} % right on {} held-out prompts", 100.0 * g.answer, g.examples)}
            </div>
        },
        None => html! {
            <div class="readout claim-accuracy pending" id={format!("claim-accuracy-{id}")} data-mode={mode}>
                {format!("{under}: evaluating on the held-out prompts…")}
            </div>
        },
    }
}

#[function_component(ClaimConstruction)]
pub fn claim_construction(props: &Props) -> Html {
    let default = props
        .sizes
        .get(1)
        .or(props.sizes.first())
        .copied()
        .unwrap_or(8);
    let size = use_state(|| default);
    let id = props.claim.as_str();
    let on_size = {
        let size = size.clone();
        on_select(&Callback::from(move |n: usize| size.set(n)), |v| {
            v.parse().ok()
        })
    };
    let on_click = {
        let (on_load, name, size) = (props.on_load.clone(), props.construction, *size);
        Callback::from(move |_: MouseEvent| on_load.emit((name.to_string(), size)))
    };
    html! {
        <div class="claim-construction">
            <div class="claim-row">
                <label class="picker" for={format!("construct-size-{id}")}>
                    <span>{"N"}</span>
                    <select id={format!("construct-size-{id}")} onchange={on_size} disabled={props.busy}>
                        { for props.sizes.iter().map(|&n| html! {
                            <option value={n.to_string()} selected={n == *size}>{n}</option>
                        }) }
                    </select>
                </label>
                <button id={format!("construct-{id}")} class="small-button" disabled={props.busy} onclick={on_click}
                    title={format!("lab construct {} --size {}", props.construction, *size)}>
                    {"Load construction"}
                </button>
                if props.loaded.is_some() {
                    <a class="hint" href="#attention-panel">{"on screen above: attention map / state"}</a>
                }
            </div>
            if let Some(loaded) = &props.loaded {
                if loaded.has_modes {
                    <ModeSwitch current={loaded.mode} disabled={props.busy} on_mode={props.on_mode.clone()}
                        id_prefix={format!("claim-mode-{id}")} />
                }
                { accuracy_line(id, loaded) }
            }
        </div>
    }
}
