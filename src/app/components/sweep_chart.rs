//! Accuracy per (size, width) column of your grid's runs in this tab, one colour per series;
//! once the grid is done, each point's 95 % interval (bootstrap over its test examples) as a
//! whisker and the constant predictor's floor at each size, dashed.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, FIXED_LABELS, Frame, Tick, polyline_points, series_colour};
use crate::claims::custom::Survey;
use crate::claims::run::GridRecord;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Your grid's finished runs so far.
    pub records: Rc<Vec<GridRecord>>,
    /// What the finished grid shows (intervals, floors); none while it runs.
    pub survey: Option<Rc<Survey>>,
}

const FRAME: Frame = Frame {
    width: 640.0,
    height: 240.0,
    left: 48.0,
    right: 150.0,
    top: 10.0,
    bottom: 34.0,
};

/// Every value of `key` over the runs, sorted, once each.
fn distinct<T: Ord>(runs: &[GridRecord], key: impl Fn(&GridRecord) -> T) -> Vec<T> {
    let mut values: Vec<T> = runs.iter().map(key).collect();
    values.sort();
    values.dedup();
    values
}

#[function_component(SweepChart)]
pub fn sweep_chart(props: &Props) -> Html {
    // Columns (size, width), one point per series and column.
    let cols = distinct(&props.records, |r| (r.size, r.width));
    let names = distinct(&props.records, |r| r.series.clone());
    let x_at = |i: usize| (i as f64 + 0.5) / cols.len().max(1) as f64;
    let points = |runs: &[GridRecord], name: &str| -> Vec<(f64, f64)> {
        cols.iter()
            .enumerate()
            .filter_map(|(i, (s, w))| {
                runs.iter()
                    .find(|r| r.series == name && r.size == *s && r.width == *w)
                    .map(|r| (FRAME.x(x_at(i)), FRAME.y(r.accuracy)))
            })
            .collect()
    };
    let left: Vec<Tick> = [0.0, 0.5, 1.0]
        .iter()
        .map(|a| Tick::new(*a, format!("{:.0}%", a * 100.0)))
        .collect();
    let bottom: Vec<Vec<Tick>> = vec![
        cols.iter()
            .enumerate()
            .map(|(i, (s, _))| Tick::new(x_at(i), format!("n={s}")))
            .collect(),
        cols.iter()
            .enumerate()
            .map(|(i, (_, w))| Tick::new(x_at(i), format!("d={w}")))
            .collect(),
    ];
    // The survey's whiskers (a cell's interval) and the constant predictor per column.
    let whiskers = props.survey.iter().flat_map(|survey| {
        survey.cells.iter().filter_map(|cell| {
            let i = cols.iter().position(|c| *c == (cell.size, cell.width))?;
            let k = names.iter().position(|n| *n == cell.series)?;
            // Series side by side around the column, so that their whiskers do not overlap.
            let x = FRAME.x(x_at(i)) + 5.0 * (k as f64 - (names.len() as f64 - 1.0) / 2.0);
            let (lo, hi) = (FRAME.y(cell.accuracy.low), FRAME.y(cell.accuracy.high));
            Some(html! {
                <line class="whisker" x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1={format!("{lo:.1}")}
                    y2={format!("{hi:.1}")} stroke={series_colour(k)} stroke-width="1.5">
                    <title>{format!("{} N = {} width {}: {:.1} % [{:.1}, {:.1}]", cell.series, cell.size, cell.width,
                        100.0 * cell.accuracy.estimate, 100.0 * cell.accuracy.low, 100.0 * cell.accuracy.high)}</title>
                </line>
            })
        })
    });
    let floor: Vec<(f64, f64)> = props
        .survey
        .iter()
        .flat_map(|survey| {
            cols.iter().enumerate().filter_map(move |(i, (size, _))| {
                let (_, share) = survey.constant_floor.iter().find(|(n, _)| n == size)?;
                share
                    .is_finite()
                    .then(|| (FRAME.x(x_at(i)), FRAME.y(*share)))
            })
        })
        .collect();
    let series = names.iter().enumerate().map(|(k, name)| {
        let colour = series_colour(k);
        let live = points(&props.records, name);
        html! {
            <g class="series" data-series={name.clone()}>
                if !live.is_empty() {
                    <polyline points={polyline_points(live.iter().copied())} stroke={colour} class="live" fill="none" />
                }
                { for live.iter().map(|(x, y)| html! {
                    <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="2.5" fill={colour} class="live" />
                }) }
                <text x={(FRAME.right_edge() + 6.0).to_string()} y={(FRAME.top + 10.0 + 11.0 * k as f64).to_string()}
                    fill={colour} class="series-label">{name.clone()}</text>
            </g>
        }
    });
    html! {
        <Chart frame={FRAME} class="sweep-chart" min_scale={FIXED_LABELS} grid={true} axes={true} {left} {bottom}>
            if !floor.is_empty() {
                <polyline class="floor" points={polyline_points(floor.iter().copied())} stroke="#667085"
                    stroke-dasharray="4 3" fill="none">
                    <title>{"a constant predictor (the most common answer of the test examples)"}</title>
                </polyline>
                <text x={(FRAME.right_edge() + 6.0).to_string()} y={(FRAME.top + 10.0 + 11.0 * names.len() as f64).to_string()}
                    fill="#667085" class="series-label">{"dashed: constant"}</text>
            }
            { for whiskers }
            { for series }
        </Chart>
    }
}
