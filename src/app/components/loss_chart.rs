//! Live loss and accuracy curves, drawn as SVG.
//!
//! Hand-written SVG rather than `plotters`: two polylines and a few ticks are ~80 lines, and
//! keep plotters' weight out of the wasm bundle.

use std::rc::Rc;

use yew::prelude::*;

use crate::train::{GreedyReport, Metrics};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub history: Rc<Vec<Metrics>>,
    /// Free-generation accuracy once the run (or a loaded model) is done.
    #[prop_or_default]
    pub greedy: Option<GreedyReport>,
    pub total_steps: usize,
}

const W: f64 = 520.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 44.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

fn x_of(step: usize, total: usize) -> f64 {
    LEFT + (W - LEFT - RIGHT) * step as f64 / total.max(1) as f64
}

fn y_of(value: f64, max: f64) -> f64 {
    TOP + (H - TOP - BOTTOM) * (1.0 - (value / max).clamp(0.0, 1.0))
}

fn polyline(points: impl Iterator<Item = (f64, f64)>) -> String {
    points
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[function_component(LossChart)]
pub fn loss_chart(props: &Props) -> Html {
    let history = &props.history;
    let total = props.total_steps.max(1);
    let max_loss = history
        .iter()
        .map(|m| f64::from(m.loss))
        .filter(|l| l.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-3);
    let loss_line = polyline(
        history
            .iter()
            .map(|m| (x_of(m.step, total), y_of(f64::from(m.loss), max_loss))),
    );
    let acc_line = polyline(
        history
            .iter()
            .map(|m| (x_of(m.step, total), y_of(f64::from(m.accuracy), 1.0))),
    );
    let answer_line = polyline(
        history
            .iter()
            .map(|m| (x_of(m.step, total), y_of(f64::from(m.answer_accuracy), 1.0))),
    );
    let last = history.last();
    html! {
        <div class="loss-chart" id="loss-chart">
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label="training loss and accuracy">
                <rect x={LEFT.to_string()} y={TOP.to_string()} width={(W - LEFT - RIGHT).to_string()}
                    height={(H - TOP - BOTTOM).to_string()} class="plot-area" />
                { for [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|f| {
                    let y = y_of(*f, 1.0);
                    html! {
                        <g>
                            <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y.to_string()} y2={y.to_string()} class="grid" />
                            <text x={(LEFT - 4.0).to_string()} y={(y + 4.0).to_string()} class="tick loss-tick" text-anchor="end">{format!("{:.2}", f * max_loss)}</text>
                            <text x={(W - RIGHT + 4.0).to_string()} y={(y + 4.0).to_string()} class="tick acc-tick">{format!("{:.0}%", f * 100.0)}</text>
                        </g>
                    }
                }) }
                <text x={LEFT.to_string()} y={(H - 8.0).to_string()} class="tick">{"0"}</text>
                <text x={(W - RIGHT).to_string()} y={(H - 8.0).to_string()} class="tick" text-anchor="end">{format!("{total} steps")}</text>
                <polyline points={loss_line} class="line loss" />
                <polyline points={acc_line} class="line accuracy" />
                <polyline points={answer_line} class="line answer" />
            </svg>
            <div class="legend">
                <span class="key loss">{"loss"}</span>
                <span class="key accuracy">{"CoT exact match (held-out, teacher-forced)"}</span>
                <span class="key answer">{"answer accuracy"}</span>
            </div>
            <div class="readout" id="metrics-readout">
                { match last {
                    Some(m) => format!("step {} · loss {:.4} · CoT exact {:.1}% · answer {:.1}%",
                        m.step, m.loss, 100.0 * m.accuracy, 100.0 * m.answer_accuracy),
                    None => "Press Train: the curves fill in as the model learns.".to_string(),
                } }
            </div>
            if let Some(g) = &props.greedy {
                <div class="readout" id="greedy-readout" title="The model continues each held-out prompt on its own (greedy, cached decoder), reading back its own tokens">
                    {format!("free generation on {} held-out prompts: whole CoT + answer right {:.1}% · answer right {:.1}%",
                        g.examples, 100.0 * g.full, 100.0 * g.answer)}
                </div>
            }
        </div>
    }
}
