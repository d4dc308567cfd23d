//! Head ablation's chart and table: per head, the answer accuracy (teacher-forced) the model
//! loses when the head is silenced, with its paired bootstrap interval over examples.

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick};
use crate::app::instrument_figures::ablation_csv;
use crate::instruments::ablation::Ablation;
use crate::instruments::bootstrap::Share;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub ablation: Ablation,
    pub about: AttrValue,
}

const FRAME: Frame = Frame {
    width: 520.0,
    height: 200.0,
    left: 50.0,
    right: 16.0,
    top: 12.0,
    bottom: 30.0,
};

fn points(x: f64) -> String {
    format!("{:+.1}", 100.0 * x)
}

/// A row of the table: what was silenced, the accuracies without it and the points lost.
fn row(
    name: String,
    answer: f64,
    answer_drop: &Share,
    exact: f64,
    exact_drop: &Share,
    class: &'static str,
) -> Html {
    let lost = |d: &Share| {
        format!(
            "{} [{}, {}]",
            points(d.estimate),
            points(d.low),
            points(d.high)
        )
    };
    html! {
        <tr {class}><td>{name}</td><td>{format!("{:.1} %", 100.0 * answer)}</td><td>{lost(answer_drop)}</td>
            <td>{format!("{:.1} %", 100.0 * exact)}</td><td>{lost(exact_drop)}</td></tr>
    }
}

#[function_component(AblationChart)]
pub fn ablation_chart(props: &Props) -> Html {
    let a = &props.ablation;
    let count = a.heads.len().max(1);
    let slot = 1.0 / count as f64;
    // The scale spans 0 and every interval (at least ±5 points).
    let low = a
        .heads
        .iter()
        .map(|h| h.answer_drop.low)
        .fold(-0.05f64, f64::min);
    let high = a
        .heads
        .iter()
        .map(|h| h.answer_drop.high)
        .fold(0.05f64, f64::max);
    let at = |v: f64| FRAME.y((v - low) / (high - low));
    let n = |v: f64| format!("{v:.1}");
    // A small negative end gets one tick (two would overlap the zero's).
    let levels: Vec<f64> = if -low < high / 4.0 {
        vec![low, 0.0, high / 2.0, high]
    } else {
        vec![low, low / 2.0, 0.0, high / 2.0, high]
    };
    let left: Vec<Tick> = levels
        .iter()
        .map(|v| Tick::new((v - low) / (high - low), format!("{} pt", points(*v))))
        .collect();
    let label_every = count.div_ceil(16);
    let bottom = vec![
        a.heads
            .iter()
            .enumerate()
            .filter(|(k, _)| k % label_every == 0)
            .map(|(k, h)| {
                Tick::new(
                    slot * (k as f64 + 0.5),
                    format!("L{}H{}", h.layer + 1, h.head + 1),
                )
            })
            .collect(),
    ];
    let export = Export::with_table("ablation", &props.about, a.clone(), ablation_csv);
    html! {
        <div class="instrument-result" id="ablation-result">
            <p class="caption">{ format!(
                "Each head silenced in turn, then every head of a layer at once (zero ablation: its share of the output projection set to zero; the table's last rows), on {} held-out examples, teacher-forced. With every head: answer {:.1} %, whole sequence {:.1} %. Bars: answer points lost (positive: the model needs the head), whiskers: 95 % interval.",
                a.examples, 100.0 * a.answer, 100.0 * a.exact) }</p>
            <Chart frame={FRAME} label="answer accuracy lost per silenced head" area={true} grid={true} {left} {bottom} export={Some(export)}>
                <line x1={n(FRAME.left)} x2={n(FRAME.right_edge())} y1={n(at(0.0))} y2={n(at(0.0))} class="axis" />
                { for a.heads.iter().enumerate().map(|(k, h)| {
                    let (x0, x1) = (FRAME.x(slot * (k as f64 + 0.2)), FRAME.x(slot * (k as f64 + 0.8)));
                    let (top, base) = (at(h.answer_drop.estimate.max(0.0)), at(h.answer_drop.estimate.min(0.0)));
                    let mid = (x0 + x1) / 2.0;
                    html! { <g>
                        <rect x={n(x0)} y={n(top)} width={n(x1 - x0)} height={n((base - top).max(0.5))} class="bar ablation">
                            <title>{ format!("layer {} head {}: answer {} points [{}, {}]", h.layer + 1, h.head + 1,
                                points(h.answer_drop.estimate), points(h.answer_drop.low), points(h.answer_drop.high)) }</title>
                        </rect>
                        <line x1={n(mid)} x2={n(mid)} y1={n(at(h.answer_drop.low))} y2={n(at(h.answer_drop.high))} class="whisker" />
                    </g> }
                }) }
            </Chart>
            <table class="instrument-table" id="ablation-table">
                <thead><tr><th>{"silenced"}</th><th>{"answer without it"}</th><th>{"points lost [95 %]"}</th><th>{"whole sequence without it"}</th><th>{"points lost [95 %]"}</th></tr></thead>
                <tbody>
                    { for a.heads.iter().map(|h| row(format!("L{} H{}", h.layer + 1, h.head + 1), h.answer, &h.answer_drop, h.exact, &h.exact_drop, "")) }
                    { for a.layers.iter().map(|l| row(format!("L{}, every head", l.layer + 1), l.answer, &l.answer_drop, l.exact, &l.exact_drop, "layer-row")) }
                </tbody>
            </table>
        </div>
    }
}
