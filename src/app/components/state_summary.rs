//! What an RNN or SSM shows instead of attention: the norm of each layer's state after every
//! token, one curve per layer, with the CoT player's position marked.
//!
//! The curves, labels and hover columns depend on the inspection only and are rendered once
//! per inspection; a step of the CoT player moves one highlighted column.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::hooks::{ByAddress, use_hover};
use crate::train::Inspection;

#[derive(Properties)]
pub struct Props {
    pub inspection: Rc<Inspection>,
    pub focus: Option<usize>,
}

/// The inspection by address (see [`ByAddress`]).
impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inspection, &other.inspection) && self.focus == other.focus
    }
}

const W: f64 = 440.0;
const H: f64 = 220.0;
const LEFT: f64 = 40.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 40.0;
const COLOURS: [&str; 6] = crate::app::palette::SERIES;

/// x of token `p`'s column centre among `t` (at least 2) tokens.
fn x_of(p: usize, t: usize) -> f64 {
    LEFT + (W - LEFT - 8.0) * p as f64 / (t - 1) as f64
}

/// A column's width among `t` tokens.
fn column_width(t: usize) -> f64 {
    (W - LEFT) / t as f64
}

/// Token `p`'s column (the hover target and the focus highlight).
fn column(p: usize, t: usize, class: Classes, onmouseenter: Option<Callback<MouseEvent>>) -> Html {
    html! {
        <rect x={(x_of(p, t) - column_width(t) / 2.0).to_string()} y={TOP.to_string()}
            width={column_width(t).to_string()} height={(H - TOP).to_string()} {class} {onmouseenter} />
    }
}

#[derive(Properties, PartialEq)]
struct CurvesProps {
    inspection: ByAddress<Inspection>,
    /// Sets the hovered token (a setter compares equal across renders: the curves are not
    /// re-rendered by a hover).
    hover: UseStateSetter<Option<usize>>,
}

/// Scale, hover columns, token labels and one curve per layer.
#[function_component(Curves)]
fn curves(props: &CurvesProps) -> Html {
    let ins = &props.inspection;
    let t = ins.len().max(2);
    let max = ins
        .state_norms
        .iter()
        .flatten()
        .copied()
        .fold(1e-6f32, f32::max) as f64;
    let y_of = |v: f32| TOP + (H - TOP - BOTTOM) * (1.0 - f64::from(v) / max);
    let font = (column_width(t) * 0.8).clamp(5.0, 10.0);
    html! {
        <g class="curves">
            <text x={(LEFT - 4.0).to_string()} y={(TOP + 8.0).to_string()} text-anchor="end" class="tick">{format!("{max:.1}")}</text>
            <text x={(LEFT - 4.0).to_string()} y={(H - BOTTOM).to_string()} text-anchor="end" class="tick">{"0"}</text>
            { for (0..ins.len()).map(|p| {
                let class = classes!("axis-label", ins.is_wrong(p).then_some("wrong"));
                let hover = props.hover.clone();
                html! {
                    <g>
                        { column(p, t, classes!("column"), Some(Callback::from(move |_: MouseEvent| hover.set(Some(p))))) }
                        <text transform={format!("translate({:.1},{:.1}) rotate(-60)", x_of(p, t), H - BOTTOM + 10.0)}
                            font-size={font.to_string()} class={class} text-anchor="end">{&ins.labels[p]}</text>
                    </g>
                }
            }) }
            { for ins.state_norms.iter().enumerate().map(|(l, norms)| {
                let points = norms.iter().enumerate()
                    .map(|(p, &v)| format!("{:.1},{:.1}", x_of(p, t), y_of(v)))
                    .collect::<Vec<_>>().join(" ");
                html! { <polyline points={points} stroke={COLOURS[l % COLOURS.len()]} fill="none" class="state-line" /> }
            }) }
        </g>
    }
}

#[function_component(StateSummary)]
pub fn state_summary(props: &Props) -> Html {
    let hover = use_hover::<usize>();
    let ins = &props.inspection;
    let t = ins.len().max(2);
    let readout = match hover.get() {
        Some(p) if p < ins.len() => ins
            .state_norms
            .iter()
            .enumerate()
            .map(|(l, n)| format!("layer {}: {:.3}", l + 1, n.get(p).copied().unwrap_or(0.0)))
            .fold(format!("after token {p} `{}`:", ins.labels[p]), |acc, s| {
                acc + " " + &s
            }),
        _ => "State norm ‖h_t‖ per layer; hover a token to read it.".to_string(),
    };
    // Under the curves' transparent columns (which take the pointer and show their own hover).
    let focus = props
        .focus
        .filter(|p| *p < ins.len())
        .map(|p| column(p, t, classes!("column", "focus"), None));
    html! {
        <div class="state-summary" id="state-summary">
            <svg viewBox={format!("0 0 {W} {H}")} class="state-chart" onmouseleave={hover.leave()}>
                { for focus }
                <Curves inspection={ByAddress(ins.clone())} hover={hover.setter()} />
            </svg>
            <div class="legend">
                { for (0..ins.state_norms.len()).map(|l| html! {
                    <span style={format!("color:{}", COLOURS[l % COLOURS.len()])}>{format!("— layer {}", l + 1)}</span>
                }) }
            </div>
            <div class="readout" id="state-readout">{readout}</div>
        </div>
    }
}
