//! Heatmap of one example's attention: rows are queries, columns keys, with token labels on
//! both axes, layer/head pickers, and the weight under the pointer.

use std::rc::Rc;

use yew::prelude::*;

use super::{StateSummary, on_select, picker};
use crate::app::hooks::use_hover;
use crate::train::Inspection;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub inspection: Option<Rc<Inspection>>,
    pub layer: usize,
    pub head: usize,
    /// The CoT player's current position: its row is outlined.
    pub focus: Option<usize>,
    pub on_layer: Callback<usize>,
    pub on_head: Callback<usize>,
}

const CELL_MAX: f64 = 22.0;
const GRID_MAX: f64 = 440.0;
const LABEL: f64 = 40.0;

/// White → deep blue.
fn colour(weight: f32) -> String {
    let w = f64::from(weight.clamp(0.0, 1.0)).sqrt();
    let r = (255.0 - w * (255.0 - 24.0)) as u8;
    let g = (255.0 - w * (255.0 - 70.0)) as u8;
    let b = (255.0 - w * (255.0 - 160.0)) as u8;
    format!("rgb({r},{g},{b})")
}

/// Options 1..=count for the indices 0..count.
fn numbered(count: usize, selected: usize) -> Html {
    html! {
        <>
            { for (0..count).map(|i| html! {
                <option value={i.to_string()} selected={i == selected}>{format!("{}", i + 1)}</option>
            }) }
        </>
    }
}

#[function_component(AttentionMap)]
pub fn attention_map(props: &Props) -> Html {
    let hover = use_hover::<(usize, usize)>();
    let Some(ins) = props.inspection.as_ref() else {
        return html! {
            <div class="empty" id="attention-map">{"Train a model to see where each token looks."}</div>
        };
    };
    if ins.n_layers == 0 {
        return html! { <StateSummary inspection={ins.clone()} focus={props.focus} /> };
    }
    let t = ins.len();
    let cell = (GRID_MAX / t as f64).min(CELL_MAX);
    let size = LABEL + cell * t as f64;
    let layer = props.layer.min(ins.n_layers.saturating_sub(1));
    let head = props.head.min(ins.n_heads.saturating_sub(1));
    let font = (cell * 0.55).clamp(5.0, 11.0);
    let readout = match hover.get() {
        Some((q, k)) if q < t && k < t => format!(
            "query {} `{}` → key {} `{}`: weight {:.3}",
            q,
            ins.labels[q],
            k,
            ins.labels[k],
            ins.weight(layer, head, q, k)
        ),
        _ => "Hover a cell to read its weight.".to_string(),
    };
    html! {
        <div class="attention-map" id="attention-map">
            <div class="pickers">
                { picker("attn-layer", "Layer", numbered(ins.n_layers, layer), false, on_select(&props.on_layer, |v| v.parse().ok())) }
                { picker("attn-head", "Head", numbered(ins.n_heads, head), false, on_select(&props.on_head, |v| v.parse().ok())) }
            </div>
            <svg viewBox={format!("0 0 {size:.1} {size:.1}")} class="heatmap" onmouseleave={hover.leave()}>
                { for (0..t).map(|i| {
                    let pos = LABEL + cell * (i as f64 + 0.5);
                    let class = classes!("axis-label", ins.is_wrong(i).then_some("wrong"));
                    html! {
                        <g>
                            <text x={(LABEL - 3.0).to_string()} y={(pos + font / 3.0).to_string()}
                                text-anchor="end" font-size={font.to_string()} class={class.clone()}>{&ins.labels[i]}</text>
                            <text transform={format!("translate({pos:.1},{:.1}) rotate(-60)", LABEL - 3.0)}
                                font-size={font.to_string()} class={class}>{&ins.labels[i]}</text>
                        </g>
                    }
                }) }
                { for (0..t).flat_map(|q| (0..=q).map(move |k| (q, k))).map(|(q, k)| {
                    let w = ins.weight(layer, head, q, k);
                    html! {
                        <rect x={(LABEL + cell * k as f64).to_string()} y={(LABEL + cell * q as f64).to_string()}
                            width={cell.to_string()} height={cell.to_string()} fill={colour(w)} class="cell"
                            onmouseenter={hover.enter((q, k))}>
                            <title>{format!("{} → {}: {:.3}", ins.labels[q], ins.labels[k], w)}</title>
                        </rect>
                    }
                }) }
                if let Some(f) = props.focus.filter(|f| *f < t) {
                    <rect x={LABEL.to_string()} y={(LABEL + cell * f as f64).to_string()}
                        width={(cell * t as f64).to_string()} height={cell.to_string()} class="focus-row" />
                }
            </svg>
            <div class="readout" id="attention-readout">{readout}</div>
        </div>
    }
}
