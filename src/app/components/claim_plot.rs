//! A claim's results as a plot: w*(N) per series on log–log axes, with its bootstrap interval
//! as a whisker and the theory's curve dashed (width claims), or accuracy per N with its
//! interval against the threshold (existence claims: the construction under each mode).

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, Export, FIXED_LABELS, Frame, Tick, polyline_points};
use crate::app::figure::{csv, number};
use crate::app::palette;
use crate::claims::curves::{rows_of, theory};
use crate::claims::stats::WStar;
use crate::claims::verdict::Cell;
use crate::claims::{Claim, Kind, Verdict, registry};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The claim's id.
    pub claim: AttrValue,
    pub verdict: Rc<Verdict>,
    /// The `<svg>`'s wrapper id.
    pub id: AttrValue,
}

const FRAME: Frame = Frame {
    width: 560.0,
    height: 210.0,
    left: 46.0,
    right: 150.0,
    top: 10.0,
    bottom: 30.0,
};
/// Positive side in blues and greens, negative side in warm colours.
const POSITIVE: [&str; 2] = [palette::BLUE, palette::GREEN];
const NEGATIVE: [&str; 2] = [palette::VERMILLION, palette::PURPLE];

/// Horizontal position of `size` among the sizes `[lo, hi]` on a log scale (fractions with a
/// margin, so the end points do not sit on the axes).
fn x_of(size: f64, lo: f64, hi: f64) -> f64 {
    if hi <= lo {
        return 0.5;
    }
    0.08 + 0.84 * (size.log2() - lo.log2()) / (hi.log2() - lo.log2())
}

/// Each series of the claim with its colour and side sign, in the claim's order.
fn styled(claim: &Claim) -> Vec<(&'static str, &'static str, char)> {
    let (mut p, mut n) = (0, 0);
    claim
        .series
        .iter()
        .map(|s| {
            if claim.positive.series.contains(&s.name) {
                p += 1;
                (s.name, POSITIVE[(p - 1) % 2], '+')
            } else {
                n += 1;
                (s.name, NEGATIVE[(n - 1) % 2], '−')
            }
        })
        .collect()
}

fn legend(k: usize, colour: &str, text: String) -> Html {
    html! {
        <text x={format!("{:.1}", FRAME.right_edge() + 8.0)} y={format!("{:.1}", FRAME.top + 12.0 + 13.0 * k as f64)}
            fill={colour.to_string()} class="series-label">{text}</text>
    }
}

fn bottom_ticks(sizes: &[usize], lo: f64, hi: f64) -> Vec<Vec<Tick>> {
    vec![
        sizes
            .iter()
            .map(|&n| Tick::new(x_of(n as f64, lo, hi), format!("N = {n}")))
            .collect(),
    ]
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// A point with its interval as a whisker; hollow when the point is a bound, not a value.
fn point(x: f64, y: f64, whisker: (f64, f64), colour: &str, hollow: bool, title: String) -> Html {
    html! {
        <g class="point">
            <line x1={n(x)} x2={n(x)} y1={n(whisker.0)} y2={n(whisker.1)} stroke={colour.to_string()} class="whisker" />
            <circle cx={n(x)} cy={n(y)} r="3.5" stroke={colour.to_string()}
                fill={if hollow { "white".to_string() } else { colour.to_string() }}>
                <title>{title}</title>
            </circle>
        </g>
    }
}

/// w*(N) per series (log₂ width), "not reached" on a row above the grid's largest width.
/// What an exported claim plot says about itself: the claim, its verdict and its design.
fn about(v: &Verdict) -> String {
    format!(
        "claim {}{}: {:?}\n{}\ndesign {}",
        v.claim,
        if v.quick { " (quick grid)" } else { "" },
        v.outcome,
        v.summary,
        v.design.as_deref().unwrap_or("-")
    )
}

/// The accuracy cells as CSV.
fn cells_csv(cells: &[&Cell], about: &str) -> String {
    let rows: Vec<Vec<String>> = cells
        .iter()
        .map(|c| {
            let j = c.judged();
            vec![
                c.series.clone(),
                c.size.to_string(),
                c.width.to_string(),
                c.seeds.to_string(),
                number(Some(j.estimate)),
                number(Some(j.low)),
                number(Some(j.high)),
            ]
        })
        .collect();
    csv(
        about,
        &[
            "series", "size", "width", "seeds", "accuracy", "low", "high",
        ],
        &rows,
    )
}

fn width_plot(claim: &Claim, v: &Verdict, stem: String) -> Html {
    // The widths the verdict was judged on (a committed verdict may predate the registry's
    // current design).
    let mut widths: Vec<usize> = v.cells.iter().map(|c| c.width).collect();
    widths.sort_unstable();
    widths.dedup();
    let (Some(&w_lo), Some(&w_hi)) = (widths.iter().min(), widths.iter().max()) else {
        return html! {};
    };
    let censored = 2 * w_hi;
    let (y_lo, y_hi) = ((w_lo as f64).log2() - 0.5, (censored as f64).log2() + 0.4);
    let y_frac = |w: f64| (w.log2() - y_lo) / (y_hi - y_lo);
    let y_of = |w: f64| FRAME.y(y_frac(w));
    let mut sizes: Vec<usize> = v.w_star.iter().map(|r| r.size).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let (lo, hi) = match (sizes.first(), sizes.last()) {
        (Some(&a), Some(&b)) => (a as f64, b as f64),
        _ => return html! { <p class="hint">{"No w*(N) rows in this verdict."}</p> },
    };
    let mut left: Vec<Tick> = widths
        .iter()
        .map(|&w| Tick::new(y_frac(w as f64), w.to_string()))
        .collect();
    left.push(Tick::new(y_frac(censored as f64), format!("> {w_hi}")));
    let value = |w: WStar| w.value_or(censored) as f64;
    let series = styled(claim);
    let count = series.len() as f64;
    let drawn = series.iter().enumerate().map(|(k, &(name, colour, sign))| {
        // Series side by side around each size, so whiskers do not hide each other.
        let dx = (k as f64 - (count - 1.0) / 2.0) * 7.0;
        let rows = rows_of(&v.w_star, name);
        let at = |size: usize| FRAME.x(x_of(size as f64, lo, hi)) + dx;
        let line = polyline_points(rows.iter().map(|r| (at(r.size), y_of(value(r.w_star.estimate)))));
        let curve = theory(claim, name, &v.w_star).map(|c| {
            polyline_points(
                c.points
                    .iter()
                    .filter(|(_, w)| y_frac(*w) <= 1.0)
                    .map(|&(size, w)| (FRAME.x(x_of(size, lo, hi)) + dx, y_of(w))),
            )
        });
        let growth = claim.growth_of(name).map_or("", |g| g.name());
        html! {
            <g class="series" data-series={name}>
                if let Some(curve) = curve {
                    <polyline points={curve} stroke={colour} class="theory" fill="none" />
                }
                <polyline points={line} stroke={colour} class="measured" fill="none" />
                { for rows.iter().map(|r| {
                    let w = &r.w_star;
                    point(at(r.size), y_of(value(w.estimate)), (y_of(value(w.low)), y_of(value(w.high))),
                        colour, !w.estimate.is_reached(), format!("{name} N = {}: w* {w}", r.size))
                }) }
                { legend(k, colour, format!("{sign} {name} {growth}")) }
            </g>
        }
    });
    let k = series.len();
    let export = Export {
        stem: stem.into(),
        about: about(v).into(),
        csv: None,
    };
    html! {
        <Chart frame={FRAME} class="claim-chart" min_scale={FIXED_LABELS} grid={true} axes={true} {left} bottom={bottom_ticks(&sizes, lo, hi)}
            label={format!("w*(N) of {}", claim.id)} export={Some(export)}>
            { for drawn }
            { legend(k + 1, "#667085", "dashed: theory".to_string()) }
            { legend(k + 2, "#667085", "hollow: not reached".to_string()) }
        </Chart>
    }
}

/// Accuracy per N of each series with its interval, and the threshold: every cell
/// (existence claims: one width), or at one matched width (the papers' own view of a width
/// claim, beside w*(N)).
fn accuracy_plot(claim: &Claim, v: &Verdict, width: Option<usize>, stem: String) -> Html {
    let cells_at: Vec<_> = v
        .cells
        .iter()
        .filter(|c| width.is_none_or(|w| c.width == w))
        .collect();
    let mut sizes: Vec<usize> = cells_at.iter().map(|c| c.size).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let (lo, hi) = match (sizes.first(), sizes.last()) {
        (Some(&a), Some(&b)) => (a as f64, b as f64),
        _ => return html! { <p class="hint">{"No runs in this verdict."}</p> },
    };
    let left: Vec<Tick> = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|&a| Tick::new(a, format!("{:.0}%", 100.0 * a)))
        .collect();
    let series = styled(claim);
    let drawn = series.iter().enumerate().map(|(k, &(name, colour, sign))| {
        let dx = (k as f64 - 0.5) * 7.0;
        let mut cells: Vec<_> = cells_at.iter().filter(|c| c.series == name).collect();
        cells.sort_by_key(|c| c.size);
        let at = |size: usize| FRAME.x(x_of(size as f64, lo, hi)) + dx;
        let line = polyline_points(
            cells
                .iter()
                .map(|c| (at(c.size), FRAME.y(c.judged().estimate))),
        );
        html! {
            <g class="series" data-series={name}>
                <polyline points={line} stroke={colour} class="measured" fill="none" />
                { for cells.iter().map(|c| point(at(c.size), FRAME.y(c.judged().estimate),
                    (FRAME.y(c.judged().low), FRAME.y(c.judged().high)), colour, false,
                    format!("{name} N = {}: {}", c.size, cell_words(c)))) }
                { legend(k, colour, format!("{sign} {name}")) }
            </g>
        }
    });
    let threshold = FRAME.y(v.threshold);
    let export = {
        let text = about(v);
        let table = cells_csv(&cells_at, &text);
        Export {
            stem: stem.into(),
            about: text.into(),
            csv: Some(Callback::from(move |()| table.clone())),
        }
    };
    html! {
        <Chart frame={FRAME} class="claim-chart" min_scale={FIXED_LABELS} grid={true} axes={true} {left} bottom={bottom_ticks(&sizes, lo, hi)}
            export={Some(export)}
            label={match width {
                Some(w) => format!("accuracy of {} per N at width {w}", claim.id),
                None => format!("accuracy of {} per N", claim.id),
            }}>
            <line x1={n(FRAME.left)} x2={n(FRAME.right_edge())} y1={n(threshold)} y2={n(threshold)} class="threshold" />
            { for drawn }
            { legend(series.len() + 1, "#667085", format!("line: {:.0} % threshold", 100.0 * v.threshold)) }
        </Chart>
    }
}

/// A cell's accuracy in words: the best restart where the width rule chose one, with the
/// seeds pooled beside it.
fn cell_words(c: &Cell) -> String {
    match &c.best {
        Some(b) => format!(
            "best restart {} {}; {} seeds pooled {}",
            b.describe(None),
            b.accuracy,
            c.seeds,
            c.accuracy
        ),
        None => format!("{} seeds pooled {}", c.seeds, c.accuracy),
    }
}

#[function_component(ClaimPlot)]
pub fn claim_plot(props: &Props) -> Html {
    let claim = use_memo(props.claim.clone(), |id| registry::find(id).ok());
    let Some(claim) = claim.as_ref() else {
        return html! {};
    };
    html! {
        <div class="claim-plot" id={props.id.clone()}>
            { match claim.kind {
                Kind::Existence => accuracy_plot(claim, &props.verdict, None, format!("{}-accuracy", props.id)),
                Kind::Separation | Kind::NoSeparation => {
                    // The widest width every series ran at: the papers' view, accuracy
                    // against N at matched width.
                    let widest = props.verdict.cells.iter().map(|c| c.width).max();
                    html! {
                        <>
                            { width_plot(claim, &props.verdict, format!("{}-wstar", props.id)) }
                            if let Some(w) = widest {
                                <p class="hint">{format!("Accuracy against N at matched width {w} (the papers' view), {}, with 95 % intervals:",
                                    if props.verdict.cells.iter().any(|c| c.best.is_some()) { "each cell's best restart on validation" } else { "seeds pooled" })}</p>
                                <div class="claim-accuracy" id={format!("{}-accuracy", props.id)}>
                                    { accuracy_plot(claim, &props.verdict, Some(w), format!("{}-accuracy", props.id)) }
                                </div>
                            }
                        </>
                    }
                }
            } }
        </div>
    }
}
