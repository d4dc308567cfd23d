//! The logit lens's chart and table: each layer's residual stream read through the model's
//! final norm and read-out — where along the depth the prediction is formed.

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick, polyline_points};
use super::probe_chart::unit_ticks;
use crate::app::instrument_figures::lens_csv;
use crate::instruments::lens::LogitLens;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lens: LogitLens,
    pub about: AttrValue,
}

const FRAME: Frame = Frame {
    width: 520.0,
    height: 200.0,
    left: 44.0,
    right: 24.0,
    top: 12.0,
    bottom: 30.0,
};

fn stage(after: usize) -> String {
    if after == 0 {
        "embedding".into()
    } else {
        format!("after layer {after}")
    }
}

#[function_component(LensChart)]
pub fn lens_chart(props: &Props) -> Html {
    let l = &props.lens;
    let last = l.layers.len().saturating_sub(1).max(1) as f64;
    let x = |k: usize| FRAME.x(k as f64 / last);
    let line = |value: fn(&crate::instruments::lens::LensLayer) -> f64| {
        polyline_points(
            l.layers
                .iter()
                .enumerate()
                .map(|(k, y)| (x(k), FRAME.y(value(y)))),
        )
    };
    let bottom = vec![
        l.layers
            .iter()
            .enumerate()
            .map(|(k, y)| Tick::new(k as f64 / last, stage(y.after_layer)))
            .collect(),
    ];
    let export = Export::with_table("logit-lens", &props.about, l.clone(), lens_csv);
    html! {
        <div class="instrument-result" id="lens-result">
            <p class="caption">{ format!(
                "The logit lens on {} held-out examples ({} predicted positions, {} of them answers), teacher-forced: each residual stream read through the final norm and read-out, as if the model stopped there. The last point is the model's own output.",
                l.examples, l.predicted_positions, l.answer_positions) }</p>
            <Chart frame={FRAME} label="logit lens per layer" area={true} grid={true} left={unit_ticks()} {bottom} export={Some(export)}>
                <polyline points={line(|y| y.reference_probability)} class="line lens-probability" />
                <polyline points={line(|y| y.top1)} class="line lens-top1" />
                <polyline points={line(|y| y.answer_top1)} class="line lens-answer" />
            </Chart>
            <div class="legend">
                <span class="key lens-probability">{"probability of the reference token"}</span>
                <span class="key lens-top1">{"top-1 is the reference"}</span>
                <span class="key lens-answer">{"top-1 on answer tokens"}</span>
            </div>
            <table class="instrument-table" id="lens-table">
                <thead><tr><th>{"stream"}</th><th>{"reference probability"}</th><th>{"top-1"}</th><th>{"answer top-1"}</th></tr></thead>
                <tbody>{ for l.layers.iter().map(|y| html! {
                    <tr><td>{stage(y.after_layer)}</td><td>{format!("{:.3}", y.reference_probability)}</td>
                        <td>{format!("{:.1} %", 100.0 * y.top1)}</td><td>{format!("{:.1} %", 100.0 * y.answer_top1)}</td></tr>
                }) }</tbody>
            </table>
        </div>
    }
}
