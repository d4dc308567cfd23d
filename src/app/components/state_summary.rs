//! What an RNN or SSM shows instead of attention: the norm of each layer's state after every
//! token, one curve per layer, with the CoT player's position marked.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::hooks::use_hover;
use crate::train::Inspection;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub inspection: Rc<Inspection>,
    pub focus: Option<usize>,
}

const W: f64 = 440.0;
const H: f64 = 220.0;
const LEFT: f64 = 40.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 40.0;
const COLOURS: [&str; 6] = [
    "#1f4e9c", "#c2571a", "#0f8a6a", "#7b3fa0", "#b8860b", "#c0304a",
];

#[function_component(StateSummary)]
pub fn state_summary(props: &Props) -> Html {
    let hover = use_hover::<usize>();
    let ins = &props.inspection;
    let t = ins.len().max(2);
    let max = ins
        .state_norms
        .iter()
        .flatten()
        .copied()
        .fold(1e-6f32, f32::max) as f64;
    let x_of = |p: usize| LEFT + (W - LEFT - 8.0) * p as f64 / (t - 1) as f64;
    let y_of = |v: f32| TOP + (H - TOP - BOTTOM) * (1.0 - f64::from(v) / max);
    let font = ((W - LEFT) / t as f64 * 0.8).clamp(5.0, 10.0);
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
    html! {
        <div class="state-summary" id="state-summary">
            <svg viewBox={format!("0 0 {W} {H}")} class="state-chart" onmouseleave={hover.leave()}>
                <text x={(LEFT - 4.0).to_string()} y={(TOP + 8.0).to_string()} text-anchor="end" class="tick">{format!("{max:.1}")}</text>
                <text x={(LEFT - 4.0).to_string()} y={(H - BOTTOM).to_string()} text-anchor="end" class="tick">{"0"}</text>
                { for (0..ins.len()).map(|p| {
                    let class = classes!("axis-label", ins.is_wrong(p).then_some("wrong"));
                    html! {
                        <g>
                            <rect x={(x_of(p) - (W - LEFT) / t as f64 / 2.0).to_string()} y={TOP.to_string()}
                                width={((W - LEFT) / t as f64).to_string()} height={(H - TOP).to_string()}
                                class={classes!("column", (props.focus == Some(p)).then_some("focus"))}
                                onmouseenter={hover.enter(p)} />
                            <text transform={format!("translate({:.1},{:.1}) rotate(-60)", x_of(p), H - BOTTOM + 10.0)}
                                font-size={font.to_string()} class={class} text-anchor="end">{&ins.labels[p]}</text>
                        </g>
                    }
                }) }
                { for ins.state_norms.iter().enumerate().map(|(l, norms)| {
                    let points = norms.iter().enumerate()
                        .map(|(p, &v)| format!("{:.1},{:.1}", x_of(p), y_of(v)))
                        .collect::<Vec<_>>().join(" ");
                    html! { <polyline points={points} stroke={COLOURS[l % COLOURS.len()]} fill="none" class="state-line" /> }
                }) }
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
