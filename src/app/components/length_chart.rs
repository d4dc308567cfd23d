//! Length generalisation: answer accuracy (free generation) against the task's size, one
//! series per configuration — models that differ only in their seed are one series, drawn as
//! the mean over seeds with a bootstrap band over seeds (one seed: its interval over examples).
//! The training size is marked on each curve.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick, polyline_points, series_colour};
use super::probe_chart::unit_ticks;
use crate::app::instrument_figures::length_csv;
use crate::instruments::length::{LengthCurve, by_seed};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub curves: Rc<Vec<LengthCurve>>,
    pub about: AttrValue,
}

const FRAME: Frame = Frame {
    width: 520.0,
    height: 220.0,
    left: 44.0,
    right: 16.0,
    top: 12.0,
    bottom: 30.0,
};

#[function_component(LengthChart)]
pub fn length_chart(props: &Props) -> Html {
    let series = by_seed(&props.curves);
    let sizes = props
        .curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.size));
    let (low, high) = sizes.fold((usize::MAX, 0), |(a, b), s| (a.min(s), b.max(s)));
    let (low, high) = (
        low.max(1) as f64,
        (high.max(1) as f64).max(low.max(1) as f64 + 1.0),
    );
    let fx = |size: usize| ((size.max(1) as f64).ln() - low.ln()) / (high.ln() - low.ln());
    let n = |v: f64| format!("{v:.1}");
    let mut ticks: Vec<usize> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    ticks.sort_unstable();
    ticks.dedup();
    // No more than ~10 labels: thin them evenly.
    let every = ticks.len().div_ceil(10).max(1);
    let bottom = vec![
        ticks
            .iter()
            .enumerate()
            .filter(|(k, _)| k % every == 0 || *k + 1 == ticks.len())
            .map(|(_, &s)| Tick::new(fx(s), format!("N={s}")))
            .collect(),
    ];
    let export = Export::with_table(
        "length-curve",
        &props.about,
        props.curves.clone(),
        |c, about| length_csv(c, about),
    );
    html! {
        <div class="instrument-result" id="length-result">
            <Chart frame={FRAME} label="answer accuracy against size" area={true} grid={true} left={unit_ticks()} {bottom} export={Some(export)}>
                { for series.iter().enumerate().map(|(k, s)| {
                    let colour = series_colour(k);
                    let upper = s.points.iter().map(|(size, a, _)| (FRAME.x(fx(*size)), FRAME.y(a.high)));
                    let lower = s.points.iter().rev().map(|(size, a, _)| (FRAME.x(fx(*size)), FRAME.y(a.low)));
                    let band = polyline_points(upper.chain(lower));
                    let mean = polyline_points(s.points.iter().map(|(size, a, _)| (FRAME.x(fx(*size)), FRAME.y(a.estimate))));
                    html! { <g class="length-series">
                        <polygon points={band} class="band" style={format!("fill:{colour}")} />
                        <polyline points={mean} class="line" style={format!("stroke:{colour}")} />
                        { for s.points.iter().map(|(size, a, _)| html! {
                            <circle r={if *size == s.trained_size { "5" } else { "3" }} cx={n(FRAME.x(fx(*size)))} cy={n(FRAME.y(a.estimate))}
                                class={classes!("point", (*size == s.trained_size).then_some("trained-size"))} style={format!("fill:{colour}")}>
                                <title>{format!("{}: N = {size}, answer {:.1} % [{:.1}, {:.1}]", s.label, 100.0 * a.estimate, 100.0 * a.low, 100.0 * a.high)}</title>
                            </circle>
                        }) }
                    </g> }
                }) }
            </Chart>
            <ul class="length-legend" id="length-legend">
                { for series.iter().enumerate().map(|(k, s)| html! {
                    <li><span class="swatch" style={format!("background:{}", series_colour(k))}></span>{ format!(
                        "{} — {}", s.label,
                        if s.seeds.len() > 1 { format!("mean of {} seeds, band: 95 % bootstrap over seeds", s.seeds.len()) }
                        else { "band: 95 % interval over examples".to_string() }) }</li>
                }) }
            </ul>
            { for props.curves.iter().filter(|c| !c.skipped.is_empty()).map(|c| html! {
                <p class="note">{ format!("{}: not evaluated at {}", c.label,
                    c.skipped.iter().map(|(n, why)| format!("N = {n} ({why})")).collect::<Vec<_>>().join(", ")) }</p>
            }) }
        </div>
    }
}
