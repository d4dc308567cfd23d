//! The checked runs of the runs table overlaid: training loss on one chart, held-out accuracy
//! on another, one colour per run (the same in both and in the legend).

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick, loss_label, polyline_points, series_colour};
use crate::app::figure::{METRICS_HEADER, csv, metrics_cells};
use crate::runs::config_diff::side_by_side;
use crate::runs::record::{MAX_NOTES, RunId, RunRecord, duration_label};
use crate::train::Metrics;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The runs to overlay, in the table's order; run `k` is drawn in `series_colour(k)`.
    pub runs: Rc<Vec<RunRecord>>,
    /// A run's notes were edited.
    pub on_notes: Callback<(RunId, String)>,
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

/// Where a loss sits on the chart's height: linearly from 0 to the largest, or on a log
/// scale between the powers of ten around the runs' losses (runs whose losses differ by
/// orders of magnitude, or the tail of a converging run).
#[derive(Debug, Clone, Copy, PartialEq)]
enum LossScale {
    Linear {
        max: f64,
    },
    /// Base-10 logarithms of the scale's bottom and top.
    Log {
        low: f64,
        high: f64,
    },
}

impl LossScale {
    fn new(losses: impl Iterator<Item = f64> + Clone, log: bool) -> Self {
        let finite = losses.filter(|l| l.is_finite());
        if log {
            let positive = finite.clone().filter(|l| *l > 0.0);
            let low = positive.clone().fold(f64::INFINITY, f64::min);
            let high = positive.fold(0.0f64, f64::max);
            if low.is_finite() && high > 0.0 {
                let (low, high) = (low.log10().floor(), high.log10().ceil());
                return Self::Log {
                    low,
                    high: high.max(low + 1.0),
                };
            }
        }
        Self::Linear {
            max: finite.fold(0.0f64, f64::max).max(1e-3),
        }
    }

    /// The fraction of the chart's height for loss `v`; `None` where the scale has no place
    /// for it (a zero or negative loss on the log scale).
    fn fraction(self, v: f64) -> Option<f64> {
        match self {
            Self::Linear { max } => Some(v / max),
            Self::Log { low, high } => (v > 0.0).then(|| (v.log10() - low) / (high - low)),
        }
    }

    fn ticks(self) -> Vec<Tick> {
        match self {
            Self::Linear { max } => LEVELS
                .iter()
                .map(|f| Tick::new(*f, loss_label(f * max, max)))
                .collect(),
            Self::Log { low, high } => {
                let (low, high) = (low as i32, high as i32);
                (low..=high)
                    .map(|d| {
                        let label = match d {
                            d if d >= 0 => format!("{}", 10f64.powi(d)),
                            d if d >= -3 => format!("{:.*}", (-d) as usize, 10f64.powi(d)),
                            d => format!("1e{d}"),
                        };
                        Tick::new(f64::from(d - low) / f64::from(high - low), label)
                    })
                    .collect()
            }
        }
    }
}

/// One run's curve of `value` (points the scale can place only, so a diverged run's line stops
/// where its loss left the chart) as a polyline's points; `x` places an evaluation on the
/// horizontal axis (a fraction of it), `None` where it cannot (no time recorded).
fn curve(
    history: &[Metrics],
    x: impl Fn(&Metrics) -> Option<f64>,
    value: impl Fn(&Metrics) -> f32,
    fraction: impl Fn(f64) -> Option<f64>,
) -> String {
    polyline_points(history.iter().filter_map(|m| {
        let v = f64::from(value(m));
        let at = x(m)?;
        v.is_finite()
            .then(|| fraction(v))
            .flatten()
            .map(|f| (FRAME.x(at), FRAME.y(f)))
    }))
}

#[function_component(RunsChart)]
pub fn runs_chart(props: &Props) -> Html {
    let runs = &props.runs;
    let log = use_state(|| false);
    let toggle_log = {
        let log = log.clone();
        Callback::from(move |_: Event| log.set(!*log))
    };
    let time = use_state(|| false);
    let toggle_time = {
        let time = time.clone();
        Callback::from(move |_: Event| time.set(!*time))
    };
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
    let scale = LossScale::new(
        runs.iter()
            .flat_map(|r| r.history.iter().map(|m| f64::from(m.loss))),
        *log,
    );
    // Free generation when every checked run recorded it at every evaluation (the page's runs
    // do); older runs have only the teacher-forced figure, and the runs are compared on that.
    let all_free = runs
        .iter()
        .all(|r| !r.history.is_empty() && r.history.iter().all(|m| m.free.is_some()));
    // The wall-clock axis: the longest training time any checked run recorded at an evaluation;
    // runs of before the time was recorded have no place on it.
    let longest = runs
        .iter()
        .flat_map(|r| r.history.iter().filter_map(|m| m.elapsed_s))
        .fold(0.0f64, |a, t| a.max(f64::from(t)))
        .max(1e-3);
    let untimed: Vec<&str> = runs
        .iter()
        .filter(|r| r.history.iter().all(|m| m.elapsed_s.is_none()))
        .map(|r| r.name.as_str())
        .collect();
    let on_time = *time;
    let x = move |m: &Metrics| -> Option<f64> {
        if on_time {
            m.elapsed_s.map(|t| f64::from(t) / longest)
        } else {
            Some(m.step as f64 / steps)
        }
    };
    let bottom = vec![vec![
        Tick::new(0.0, "0"),
        if on_time {
            Tick::new(1.0, duration_label(longest))
        } else {
            Tick::new(1.0, format!("{steps} steps"))
        },
    ]];
    let loss_ticks = scale.ticks();
    let accuracy_ticks: Vec<Tick> = LEVELS
        .iter()
        .map(|f| Tick::new(*f, format!("{:.0}%", f * 100.0)))
        .collect();
    let lines = |value: fn(&Metrics) -> f32, loss: bool| -> Html {
        runs.iter()
            .enumerate()
            .map(|(k, r)| {
                let points = if loss {
                    curve(&r.history, x, value, |v| scale.fraction(v))
                } else {
                    curve(&r.history, x, value, Some)
                };
                html! {
                    <polyline {points} stroke={series_colour(k)}
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
    let export = |stem: &'static str| {
        let runs = runs.clone();
        let about: String = runs
            .iter()
            .map(|r| {
                format!(
                    "run {} ({}): {}\n",
                    r.id.0,
                    r.name,
                    serde_json::to_string(&r.config).unwrap_or_default()
                )
            })
            .collect();
        let text = about.clone();
        Export {
            stem: stem.into(),
            about: about.into(),
            csv: Some(Callback::from(move |()| runs_table(&runs, &text))),
        }
    };
    html! {
        <div class="runs-chart" id="runs-chart">
            <figure>
                <figcaption>{"training loss"}
                    <label class="inline-toggle"><input type="checkbox" id="runs-log-loss" checked={*log}
                        onchange={toggle_log} />{"log scale"}</label>
                    <label class="inline-toggle"><input type="checkbox" id="runs-time-axis" checked={on_time}
                        onchange={toggle_time} />{"wall-clock axis"}</label>
                </figcaption>
                <Chart frame={FRAME} label="training loss of the checked runs" area={true} grid={true}
                    left={loss_ticks} bottom={bottom.clone()} export={Some(export("runs-loss"))}>
                    { lines(|m| m.loss, true) }
                </Chart>
            </figure>
            <figure>
                <figcaption id="runs-accuracy-caption">{ if all_free {
                    "held-out free generation: whole output right"
                } else {
                    "held-out whole-output exact match, teacher-forced (not every checked run recorded free generation)"
                } }</figcaption>
                <Chart frame={FRAME} label="held-out accuracy of the checked runs" area={true} grid={true}
                    left={accuracy_ticks} {bottom} export={Some(export("runs-accuracy"))}>
                    { if all_free {
                        lines(|m| m.free.map_or(f32::NAN, |f| f.full), false)
                    } else {
                        lines(|m| m.accuracy, false)
                    } }
                </Chart>
            </figure>
            <div class="legend runs-legend">{ for legend }</div>
            if on_time && !untimed.is_empty() {
                <p class="note" id="runs-untimed">{ format!("Not on the wall-clock axis (trained before the time of each evaluation was recorded): {}.", untimed.join(", ")) }</p>
            }
            { configs(runs, &props.on_notes) }
        </div>
    }
}

/// The checked runs side by side: the settings that differ (a column per run) and each run's
/// notes, editable (saved with the run when the field loses focus).
fn configs(runs: &[RunRecord], on_notes: &Callback<(RunId, String)>) -> Html {
    let all: Vec<&crate::train::TrainConfig> = runs.iter().map(|r| &r.config).collect();
    let (rows, shared) = side_by_side(&all);
    let caption = if runs.len() > 1 {
        format!("What differs between the checked runs ({shared} settings shared), and your notes")
    } else {
        "Your notes on the checked run".to_string()
    };
    let notes = runs.iter().map(|r| {
        let (on_notes, id) = (on_notes.clone(), r.id.clone());
        let onchange = Callback::from(move |e: Event| {
            let input: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            on_notes.emit((id.clone(), input.value()));
        });
        html! {
            <td key={r.id.0.clone()}><textarea class="run-notes" rows="2" maxlength={MAX_NOTES.to_string()} data-run={r.id.0.clone()}
                aria-label={format!("notes on {}", r.name)} placeholder="what this run is for, what it showed"
                value={r.notes.clone()} {onchange} /></td>
        }
    });
    html! {
        <div class="runs-configs-scroll" tabindex="0">
        <table class="runs-configs" id="runs-configs">
            <caption>{ caption }</caption>
            <thead><tr><th scope="col">{"setting"}</th>
                { for runs.iter().enumerate().map(|(k, r)| html! {
                    <th scope="col"><span class="swatch" style={format!("background: {}", series_colour(k))}></span>{ r.name.clone() }</th>
                }) }
            </tr></thead>
            <tbody>
                { for rows.iter().map(|(key, values)| html! {
                    <tr><th scope="row">{ key.clone() }</th>{ for values.iter().map(|v| html! { <td title={v.clone()}>{ v.clone() }</td> }) }</tr>
                }) }
                if rows.is_empty() && runs.len() > 1 {
                    <tr><td colspan={(runs.len() + 1).to_string()}>{"Same config (the runs differ only in how they ended)."}</td></tr>
                }
                <tr class="notes-row"><th scope="row">{"notes"}</th>{ for notes }</tr>
            </tbody>
        </table>
        </div>
    }
}

/// Every checked run's evaluations, a row each.
fn runs_table(runs: &[RunRecord], about: &str) -> String {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .flat_map(|r| {
            r.history.iter().map(move |m| {
                [r.id.0.clone(), r.name.clone()]
                    .into_iter()
                    .chain(metrics_cells(m))
                    .collect()
            })
        })
        .collect();
    let header: Vec<&str> = ["run", "name"].into_iter().chain(METRICS_HEADER).collect();
    csv(about, &header, &rows)
}
