//! The page's one chart: an SVG frame with its scales, axes, grid and tick labels; the loss
//! chart, the cost meter and your grid's plot draw their curves into it as children.
//!
//! Hand-written SVG rather than `plotters`: a few polylines and ticks keep plotters' weight out
//! of the wasm bundle.

use yew::prelude::*;

use crate::app::chart_export::{Kind, export};

/// The chart's size and margins, in SVG units, and its scales: the plot is the rectangle inside
/// the margins, addressed by fractions of its width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    /// x of a fraction of the plot's width (0 = left edge, 1 = right edge).
    pub fn x(&self, fraction: f64) -> f64 {
        self.left + (self.width - self.left - self.right) * fraction
    }

    /// y of a fraction of the plot's height (0 = bottom, 1 = top), clamped to the plot.
    pub fn y(&self, fraction: f64) -> f64 {
        self.top + (self.height - self.top - self.bottom) * (1.0 - fraction.clamp(0.0, 1.0))
    }

    /// x of the plot's right edge (where right-hand labels start).
    pub fn right_edge(&self) -> f64 {
        self.width - self.right
    }

    /// y of the plot's bottom edge (the x axis).
    pub fn bottom_edge(&self) -> f64 {
        self.height - self.bottom
    }
}

/// The colour of series `k` (the page's palette, kept apart for colour-blind readers; colours
/// repeat after six).
pub fn series_colour(k: usize) -> &'static str {
    crate::app::palette::series(k)
}

/// A loss tick with as many decimals as the scale needs (0.0004 is not "0.00").
pub fn loss_label(value: f64, max: f64) -> String {
    match max {
        m if m >= 10.0 => format!("{value:.0}"),
        m if m >= 0.1 => format!("{value:.2}"),
        m if m >= 0.001 => format!("{value:.4}"),
        _ => format!("{value:.1e}"),
    }
}

/// A labelled tick at a fraction of an axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

impl Tick {
    pub fn new(at: f64, label: impl Into<String>) -> Self {
        Self {
            at,
            label: label.into(),
        }
    }
}

/// `points` as the value of a polyline's `points` attribute.
pub fn polyline_points(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    points
        .into_iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a chart's export buttons write: files named `stem.svg|png|csv`, `about` (the run's
/// config or the claim's design) inside each, and the chart's data as CSV when it has a table.
#[derive(Clone, PartialEq)]
pub struct Export {
    pub stem: AttrValue,
    pub about: AttrValue,
    /// Writes the CSV when asked (not on every render).
    pub csv: Option<Callback<(), String>>,
}

impl Export {
    /// Export buttons named `stem` whose CSV is `write(&data, about)` (written when asked).
    pub fn with_table<T: 'static>(
        stem: &'static str,
        about: &AttrValue,
        data: T,
        write: fn(&T, &str) -> String,
    ) -> Self {
        let text = about.clone();
        Self {
            stem: stem.into(),
            about: about.clone(),
            csv: Some(Callback::from(move |()| write(&data, &text))),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub frame: Frame,
    /// Export buttons (SVG, PNG and, with data, CSV) under the chart.
    #[prop_or_default]
    pub export: Option<Export>,
    /// The `<svg>`'s class (the page's CSS styles each chart by it).
    #[prop_or_default]
    pub class: Classes,
    /// What the chart shows, for screen readers.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    /// Ticks left of the plot, at fractions of its height.
    #[prop_or_default]
    pub left: Vec<Tick>,
    /// Ticks right of the plot, at fractions of its height.
    #[prop_or_default]
    pub right: Vec<Tick>,
    /// Rows of ticks under the plot, at fractions of its width.
    #[prop_or_default]
    pub bottom: Vec<Vec<Tick>>,
    /// A line across the plot at every left-hand tick.
    #[prop_or_default]
    pub grid: bool,
    /// The x and y axis lines.
    #[prop_or_default]
    pub axes: bool,
    /// A filled rectangle behind the plot.
    #[prop_or_default]
    pub area: bool,
    #[prop_or_default]
    pub children: Html,
    /// Its smallest drawn size as a fraction of its units: [`MIN_SCALE`] for charts whose
    /// labels fit when the page enlarges them; a chart with long labels in its margin (the
    /// claims' plots) keeps its label size and sets its own, larger.
    #[prop_or(MIN_SCALE)]
    pub min_scale: f64,
}

/// The smallest rendered size of a chart, as a fraction of its SVG units. Drawn that small its
/// labels are 15 units (the page's CSS enlarges them in a narrow box), so 8 px or more; a
/// narrower box scrolls sideways.
pub const MIN_SCALE: f64 = 0.54;

/// From this smallest scale on, a chart keeps its labels' size (9-10 units: 8 px or more).
pub const FIXED_LABELS: f64 = 0.9;

/// `text-anchor` for a label at a fraction of the width: flush with the plot's edges.
fn anchor(at: f64) -> &'static str {
    match at {
        a if a <= 0.0 => "start",
        a if a >= 1.0 => "end",
        _ => "middle",
    }
}

/// The SVG / PNG / CSV buttons of a chart drawn in `svg`.
fn export_buttons(e: &Export, svg: &NodeRef, failed: &UseStateHandle<Option<String>>) -> Html {
    let button = |kind: Kind, label: &'static str| {
        let id = format!("{}-export-{}", e.stem, label.to_lowercase());
        let (svg, e, failed) = (svg.clone(), e.clone(), failed.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let (svg, e, failed) = (svg.clone(), e.clone(), failed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let Some(element) = svg.cast::<web_sys::Element>() else {
                    return;
                };
                let csv = e.csv.as_ref().map(|c| c.emit(()));
                let result = export(&element, kind, &e.stem, &e.about, csv).await;
                failed.set(
                    result
                        .err()
                        .map(|why| format!("{label} export failed: {why}")),
                );
            });
        });
        html! {
            <button {id} class="small-button chart-export-button" {onclick}
                title={format!("Download this chart as {label}, its config inside")}>{label}</button>
        }
    };
    html! {
        <div class="chart-export">
            { button(Kind::Svg, "SVG") }
            { button(Kind::Png, "PNG") }
            if e.csv.is_some() {
                { button(Kind::Csv, "CSV") }
            }
            if let Some(why) = &**failed {
                <span class="error" role="alert">{why.clone()}</span>
            }
        </div>
    }
}

#[function_component(Chart)]
pub fn chart(props: &Props) -> Html {
    let svg_ref = use_node_ref();
    let failed = use_state(|| None::<String>);
    let f = props.frame;
    let (left, right, top, bottom) = (f.left, f.right_edge(), f.top, f.bottom_edge());
    let n = |v: f64| format!("{v:.1}");
    let side_tick = |tick: &Tick, x: f64, anchor: &'static str| {
        let y = f.y(tick.at);
        html! {
            <text x={n(x)} y={n(y + 4.0)} text-anchor={anchor} class="tick">{tick.label.clone()}</text>
        }
    };
    // Never drawn below MIN_SCALE of its own units: on a narrow screen the chart scrolls
    // sideways in its box instead of shrinking its labels below reading size.
    let min_width = format!("min-width:{:.0}px", props.min_scale * f.width);
    // Only a chart drawn that small gets larger label units in a narrow box (the page's CSS).
    let class = classes!(
        props.class.clone(),
        (props.min_scale < FIXED_LABELS).then_some("shrinks")
    );
    html! {
        <>
        <div class="chart-scroll" tabindex="0">
        <svg ref={svg_ref.clone()} viewBox={format!("0 0 {} {}", f.width, f.height)} class={class} style={min_width}
            role={props.label.as_ref().map(|_| "img")} aria-label={props.label.clone()}>
            if props.area {
                <rect x={n(left)} y={n(top)} width={n(right - left)} height={n(bottom - top)} class="plot-area" />
            }
            if props.grid {
                { for props.left.iter().map(|t| html! {
                    <line x1={n(left)} x2={n(right)} y1={n(f.y(t.at))} y2={n(f.y(t.at))} class="grid" />
                }) }
            }
            if props.axes {
                <line x1={n(left)} y1={n(bottom)} x2={n(right)} y2={n(bottom)} class="axis" />
                <line x1={n(left)} y1={n(top)} x2={n(left)} y2={n(bottom)} class="axis" />
            }
            { for props.left.iter().map(|t| side_tick(t, left - 4.0, "end")) }
            { for props.right.iter().map(|t| side_tick(t, right + 4.0, "start")) }
            { for props.bottom.iter().enumerate().flat_map(|(row, ticks)| ticks.iter().map(move |t| html! {
                <text x={n(f.x(t.at))} y={n(bottom + 14.0 + 12.0 * row as f64)} text-anchor={anchor(t.at)} class="tick">{t.label.clone()}</text>
            })) }
            { props.children.clone() }
        </svg>
        </div>
        if let Some(e) = &props.export {
            { export_buttons(e, &svg_ref, &failed) }
        }
        </>
    }
}
