//! The probes' chart and table: per layer, the R² of a linear probe for the variable the
//! task's algorithm keeps, beside the same probe fitted on shuffled targets (the control).

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick};
use crate::app::instrument_figures::probes_csv;
use crate::instruments::probe::Probes;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub probes: Probes,
    /// The model's config (JSON), written into exported files.
    pub about: AttrValue,
}

const FRAME: Frame = Frame {
    width: 520.0,
    height: 200.0,
    left: 44.0,
    right: 16.0,
    top: 12.0,
    bottom: 30.0,
};

/// The y ticks of a chart of shares or R² from 0 to 1.
pub fn unit_ticks() -> Vec<Tick> {
    [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|f| Tick::new(*f, format!("{f:.2}")))
        .collect()
}

#[function_component(ProbeChart)]
pub fn probe_chart(props: &Props) -> Html {
    let p = &props.probes;
    let layers = p.layers.len().max(1);
    let slot = 1.0 / layers as f64;
    let n = |v: f64| format!("{v:.1}");
    let bar = |k: usize, offset: f64, value: f64, class: &'static str, title: String| {
        let x0 = FRAME.x(slot * (k as f64 + 0.15 + offset));
        let x1 = FRAME.x(slot * (k as f64 + 0.15 + offset + 0.33));
        let (y0, y1) = (FRAME.y(value.max(0.0)), FRAME.y(0.0));
        html! {
            <rect x={n(x0)} y={n(y0)} width={n(x1 - x0)} height={n((y1 - y0).max(0.5))} class={classes!("bar", class)}>
                <title>{title}</title>
            </rect>
        }
    };
    let bottom = vec![
        p.layers
            .iter()
            .enumerate()
            .map(|(k, l)| {
                Tick::new(
                    slot * (k as f64 + 0.5),
                    format!("after layer {}", l.layer + 1),
                )
            })
            .collect(),
    ];
    let export = Export::with_table("probes", &props.about, p.clone(), probes_csv);
    html! {
        <div class="instrument-result" id="probes-result">
            <p class="caption">{ format!(
                "Linear probes for the {}: ridge regression from the residual stream after each layer, fitted on {} positions (half the held-out examples), scored on {} (the other half). A probe fitted on shuffled targets is the control: a stream that merely is wide decodes noise too.",
                p.variable.name(), p.fit_positions, p.score_positions) }</p>
            <Chart frame={FRAME} label="probe R² per layer" area={true} grid={true} left={unit_ticks()} {bottom} export={Some(export)}>
                { for p.layers.iter().enumerate().map(|(k, l)| html! { <>
                    { bar(k, 0.0, l.r2, "probe", format!("after layer {}: R² {:.3}", l.layer + 1, l.r2)) }
                    { bar(k, 0.36, l.control_r2, "control", format!("after layer {}: control R² {:.3}", l.layer + 1, l.control_r2)) }
                </> }) }
            </Chart>
            <div class="legend"><span class="key probe">{"probe R²"}</span><span class="key control">{"shuffled-target control R² (below 0 drawn at 0)"}</span></div>
            <table class="instrument-table" id="probes-table">
                <thead><tr><th>{"after layer"}</th><th>{"R²"}</th><th>{"rounded value exact"}</th><th>{"control R²"}</th></tr></thead>
                <tbody>{ for p.layers.iter().map(|l| html! {
                    <tr><td>{l.layer + 1}</td><td>{format!("{:.3}", l.r2)}</td><td>{format!("{:.1} %", 100.0 * l.exact)}</td><td>{format!("{:.3}", l.control_r2)}</td></tr>
                }) }</tbody>
            </table>
        </div>
    }
}
