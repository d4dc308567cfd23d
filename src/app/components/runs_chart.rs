//! The checked runs of the runs table overlaid: training loss on one chart, held-out accuracy
//! on another, one colour per run (the same in both and in the legend).

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, Frame, Tick, polyline_points, series_colour};
use crate::train::Metrics;
use crate::train::run_record::RunRecord;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The runs to overlay, in the table's order; run `k` is drawn in `series_colour(k)`.
    pub runs: Rc<Vec<RunRecord>>,
}

const FRAME: Frame = Frame {
    width: 420.0,
    height: 200.0,
    left: 54.0,
    right: 10.0,
    top: 10.0,
    bottom: 28.0,
};
const LEVELS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

/// One run's curve of `value` (finite points only, so a diverged run's line stops where its
/// loss left the chart) as a polyline's points.
fn curve(history: &[Metrics], steps: f64, max: f64, value: impl Fn(&Metrics) -> f32) -> String {
    polyline_points(history.iter().filter_map(|m| {
        let v = f64::from(value(m));
        v.is_finite()
            .then(|| (FRAME.x(m.step as f64 / steps), FRAME.y(v / max)))
    }))
}

#[function_component(RunsChart)]
pub fn runs_chart(props: &Props) -> Html {
    let runs = &props.runs;
    if runs.is_empty() {
        return html! {
            <div class="runs-chart empty" id="runs-chart">{"Tick runs in the table to overlay their curves."}</div>
        };
    }
    // A shared step axis: the longest run's budget (or its last evaluation, if it went on).
    let steps = runs
        .iter()
        .flat_map(|r| std::iter::once(r.config.steps).chain(r.history.last().map(|m| m.step)))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let max_loss = runs
        .iter()
        .flat_map(|r| r.history.iter().map(|m| f64::from(m.loss)))
        .filter(|l| l.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-3);
    // Free generation when every checked run recorded it at every evaluation (the page's runs
    // do); older runs have only the teacher-forced figure, and the runs are compared on that.
    let all_free = runs
        .iter()
        .all(|r| !r.history.is_empty() && r.history.iter().all(|m| m.free.is_some()));
    let bottom = vec![vec![
        Tick::new(0.0, "0"),
        Tick::new(1.0, format!("{steps} steps")),
    ]];
    let loss_ticks: Vec<Tick> = LEVELS
        .iter()
        .map(|f| Tick::new(*f, format!("{:.2}", f * max_loss)))
        .collect();
    let accuracy_ticks: Vec<Tick> = LEVELS
        .iter()
        .map(|f| Tick::new(*f, format!("{:.0}%", f * 100.0)))
        .collect();
    let lines = |value: fn(&Metrics) -> f32, max: f64| -> Html {
        runs.iter()
            .enumerate()
            .map(|(k, r)| {
                html! {
                    <polyline points={curve(&r.history, steps, max, value)} stroke={series_colour(k)}
                        class="run-line" data-run={r.id.0.clone()} fill="none" />
                }
            })
            .collect()
    };
    let legend = runs.iter().enumerate().map(|(k, r)| {
        html! {
            <span class="run-key" data-run={r.id.0.clone()}>
                <span class="swatch" style={format!("background: {}", series_colour(k))}></span>
                {format!("{} ({})", r.name, r.accuracy_label())}
            </span>
        }
    });
    html! {
        <div class="runs-chart" id="runs-chart">
            <figure>
                <figcaption>{"training loss"}</figcaption>
                <Chart frame={FRAME} label="training loss of the checked runs" area={true} grid={true}
                    left={loss_ticks} bottom={bottom.clone()}>
                    { lines(|m| m.loss, max_loss) }
                </Chart>
            </figure>
            <figure>
                <figcaption id="runs-accuracy-caption">{ if all_free {
                    "held-out free generation: whole output right"
                } else {
                    "held-out whole-output exact match, teacher-forced (not every checked run recorded free generation)"
                } }</figcaption>
                <Chart frame={FRAME} label="held-out accuracy of the checked runs" area={true} grid={true}
                    left={accuracy_ticks} {bottom}>
                    { if all_free {
                        lines(|m| m.free.map_or(f32::NAN, |f| f.full), 1.0)
                    } else {
                        lines(|m| m.accuracy, 1.0)
                    } }
                </Chart>
            </figure>
            <div class="legend runs-legend">{ for legend }</div>
        </div>
    }
}
