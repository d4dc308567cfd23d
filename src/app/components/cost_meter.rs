//! The cost meter: analytic FLOPs and cache/state memory per generated token as the position
//! grows, one curve per architecture at the current sizes, the chosen one highlighted.

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick, polyline_points};
use crate::app::figure::{csv, number};
use crate::app::palette;
use crate::models::cost::token_cost;
use crate::models::{Architecture, ModelConfig};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The model as configured (its sizes are used for every curve).
    pub config: Option<ModelConfig>,
}

#[derive(Clone, Copy, PartialEq)]
enum Metric {
    Flops,
    Memory,
}

const FRAME: Frame = Frame {
    width: 420.0,
    height: 200.0,
    left: 52.0,
    right: 86.0,
    top: 10.0,
    bottom: 26.0,
};
const HORIZONS: [usize; 3] = [256, 1024, 4096];
const SAMPLES: usize = 64;

fn colour(a: Architecture) -> &'static str {
    match a {
        Architecture::Standard => palette::BLUE,
        Architecture::Sparse => palette::PURPLE,
        Architecture::Linear => palette::GREEN,
        Architecture::Lstm => palette::VERMILLION,
        Architecture::Gru => palette::BROWN,
        Architecture::Ssm => palette::INK,
    }
}

/// 1234567 → "1.2M".
fn si(value: f64) -> String {
    match value {
        v if v >= 1e9 => format!("{:.1}G", v / 1e9),
        v if v >= 1e6 => format!("{:.1}M", v / 1e6),
        v if v >= 1e3 => format!("{:.1}k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

#[function_component(CostMeter)]
pub fn cost_meter(props: &Props) -> Html {
    let metric = use_state(|| Metric::Flops);
    let horizon = use_state(|| 1024usize);
    let Some(config) = props.config.as_ref() else {
        return html! { <div class="empty" id="cost-meter">{"Fix the model settings to see its cost."}</div> };
    };
    let horizon_len = *horizon;
    let positions: Vec<usize> = (0..=SAMPLES)
        .map(|i| i * (horizon_len - 1) / SAMPLES)
        .collect();
    let curves: Vec<(Architecture, Vec<f64>)> = Architecture::ALL
        .iter()
        .map(|&a| {
            let c = ModelConfig {
                max_len: horizon_len.max(config.max_len),
                ..config.clone()
            }
            .with_architecture(a);
            let values = positions
                .iter()
                .map(|&p| {
                    let cost = token_cost(&c, p);
                    match *metric {
                        Metric::Flops => cost.flops as f64,
                        Metric::Memory => cost.state_bytes as f64,
                    }
                })
                .collect();
            (a, values)
        })
        .collect();
    let max = curves
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(1.0f64, f64::max);
    let x_of = |p: usize| FRAME.x(p as f64 / (horizon_len - 1) as f64);
    let y_of = |v: f64| FRAME.y(v / max);
    // Curve labels at the right end, pushed apart so that flat curves stay readable.
    let mut labels: Vec<(Architecture, f64)> = curves
        .iter()
        .map(|(a, v)| (*a, y_of(*v.last().unwrap_or(&0.0)) + 3.0))
        .collect();
    labels.sort_by(|a, b| b.1.total_cmp(&a.1));
    for i in 1..labels.len() {
        labels[i].1 = labels[i].1.min(labels[i - 1].1 - 10.0);
    }
    let label_y = |a: Architecture| labels.iter().find(|l| l.0 == a).map_or(0.0, |l| l.1);
    let here = token_cost(config, config.max_len.saturating_sub(1));
    let set_metric = |m: Metric| {
        let metric = metric.clone();
        Callback::from(move |_: MouseEvent| metric.set(m))
    };
    let on_horizon = {
        let horizon = horizon.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(h) = select.value().parse::<usize>() {
                horizon.set(h);
            }
        })
    };
    let unit = match *metric {
        Metric::Flops => "FLOPs per token",
        Metric::Memory => "cache/state bytes read per token",
    };
    let export = {
        let about = format!(
            "{unit} by position, every architecture at this model's sizes: {}",
            serde_json::to_string(config).unwrap_or_default()
        );
        let header: Vec<String> = std::iter::once("position".to_string())
            .chain(curves.iter().map(|(a, _)| a.name().to_string()))
            .collect();
        let rows: Vec<Vec<String>> = positions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                std::iter::once(p.to_string())
                    .chain(
                        curves
                            .iter()
                            .map(|(_, values)| number(values.get(i).copied())),
                    )
                    .collect()
            })
            .collect();
        let text = about.clone();
        Export {
            stem: "cost-per-token".into(),
            about: about.into(),
            csv: Some(Callback::from(move |()| {
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                csv(&text, &header, &rows)
            })),
        }
    };
    html! {
        <div class="cost-meter" id="cost-meter">
            <div class="pickers">
                <div class="toggle">
                    <button id="cost-flops" class={classes!((*metric == Metric::Flops).then_some("on"))} onclick={set_metric(Metric::Flops)}>{"FLOPs"}</button>
                    <button id="cost-memory" class={classes!((*metric == Metric::Memory).then_some("on"))} onclick={set_metric(Metric::Memory)}>{"Memory"}</button>
                </div>
                <label class="picker" for="cost-horizon">
                    <span>{"Up to position"}</span>
                    <select id="cost-horizon" onchange={on_horizon}>
                        { for HORIZONS.iter().map(|h| html! {
                            <option value={h.to_string()} selected={*h == horizon_len}>{h.to_string()}</option>
                        }) }
                    </select>
                </label>
            </div>
            <Chart frame={FRAME} class="cost-chart" axes={true} export={Some(export)}
                left={vec![Tick::new(1.0, si(max)), Tick::new(0.0, "0")]}
                bottom={vec![vec![Tick::new(0.0, "0"), Tick::new(1.0, format!("position {horizon_len}"))]]}>
                if config.max_len < horizon_len {
                    <line x1={x_of(config.max_len).to_string()} y1={FRAME.top.to_string()} x2={x_of(config.max_len).to_string()} y2={FRAME.bottom_edge().to_string()} class="task-len" />
                }
                { for curves.iter().map(|(a, values)| {
                    let current = *a == config.arch.architecture;
                    let points = polyline_points(positions.iter().zip(values).map(|(&p, &v)| (x_of(p), y_of(v))));
                    html! {
                        <g class={classes!("curve", current.then_some("current"))} data-arch={a.name()}>
                            <polyline points={points} stroke={colour(*a)} fill="none" />
                            <text x={(FRAME.right_edge() + 4.0).to_string()} y={label_y(*a).to_string()} fill={colour(*a)} class="curve-label">{a.name()}</text>
                        </g>
                    }
                }) }
            </Chart>
            <div class="readout" id="cost-readout">
                {format!("{}: {} FLOPs and {} bytes of cache/state for the last token of this task (position {}); {}.",
                    config.arch.architecture.name(), si(here.flops as f64), si(here.state_bytes as f64),
                    config.max_len - 1, unit)}
            </div>
        </div>
    }
}
