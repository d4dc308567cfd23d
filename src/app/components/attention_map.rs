//! Heatmap of one example's attention: rows are queries, columns keys, with token labels on
//! both axes, layer/head pickers, and the weight under the pointer.
//!
//! No DOM node per cell: the weights are painted into a canvas of one pixel per cell (scaled up
//! by CSS, `image-rendering: pixelated`) once per inspection, layer and head, and an SVG over it
//! holds the token labels, the CoT player's focus row and the hovered cell's outline. A step of
//! the player moves one outline; a map of T tokens costs one `putImageData`, not T²/2 nodes
//! (as SVG rects, T = 123 took ~700 ms to draw and ~40 ms of diffing per step).

use std::rc::Rc;

use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use super::{FileExport, StateSummary, on_select, picker};
use crate::app::heatmap_figure::{attention_csv, attention_svg, shade, svg_side};
use crate::app::hooks::{ByAddress, same_address, use_hover};
use crate::train::Inspection;

#[derive(Properties)]
pub struct Props {
    pub inspection: Option<Rc<Inspection>>,
    pub layer: usize,
    pub head: usize,
    /// The CoT player's current position: its row is outlined.
    pub focus: Option<usize>,
    pub on_layer: Callback<usize>,
    pub on_head: Callback<usize>,
    /// The model's config (JSON), written into exported files.
    #[prop_or_default]
    pub about: AttrValue,
}

/// The inspection by address (see [`ByAddress`]): a CoT step changes `focus` only.
impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        same_address(&self.inspection, &other.inspection)
            && self.layer == other.layer
            && self.head == other.head
            && self.focus == other.focus
            && self.on_layer == other.on_layer
            && self.on_head == other.on_head
            && self.about == other.about
    }
}

const CELL_MAX: f64 = 22.0;
const GRID_MAX: f64 = 440.0;
const LABEL: f64 = 40.0;

/// The map's geometry in SVG units: labels in a `LABEL` margin, then `t` cells of `cell` units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    cell: f64,
    size: f64,
    font: f64,
}

impl Layout {
    fn new(t: usize) -> Self {
        let cell = (GRID_MAX / t.max(1) as f64).min(CELL_MAX);
        Self {
            cell,
            size: LABEL + cell * t as f64,
            // 8 units at least: the map is never drawn below its own size (it scrolls in its
            // box instead), so a label is 8 px or more; long sequences label every few tokens.
            font: (cell * 0.55).clamp(8.0, 11.0),
        }
    }

    /// Where the canvas of cells sits in the SVG's box, as CSS percentages.
    fn grid_style(&self) -> String {
        let offset = 100.0 * LABEL / self.size;
        let extent = 100.0 - offset;
        format!("left:{offset:.3}%;top:{offset:.3}%;width:{extent:.3}%;height:{extent:.3}%")
    }

    /// Every how many tokens a label is written: 1 while labels fit their row, more for long
    /// sequences, where they would overlap (the readout names the hovered pair).
    fn label_stride(&self) -> usize {
        (self.font / self.cell).ceil().max(1.0) as usize
    }

    /// SVG coordinate of the edge of row or column `i` of the grid.
    fn at(&self, i: usize) -> f64 {
        LABEL + self.cell * i as f64
    }
}

/// The heatmap's pixels, one per cell: RGBA rows of queries, columns of keys; a key after its
/// query (never attended) is transparent.
fn pixels(ins: &Inspection, layer: usize, head: usize) -> Vec<u8> {
    let t = ins.len();
    let mut out = vec![0u8; t * t * 4];
    for q in 0..t {
        for k in 0..=q {
            let [r, g, b] = shade(ins.weight(layer, head, q, k));
            out[(q * t + k) * 4..][..4].copy_from_slice(&[r, g, b, 255]);
        }
    }
    out
}

/// Paint the weights of `layer`/`head` into the canvas (sized `T × T` by its attributes).
fn paint(canvas: &HtmlCanvasElement, ins: &Inspection, layer: usize, head: usize) {
    let t = ins.len() as u32;
    if t == 0 {
        return;
    }
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    let data = pixels(ins, layer, head);
    let drawn = context
        .ok_or_else(|| JsValue::from_str("no 2d context"))
        .and_then(|context| {
            let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&data), t, t)?;
            context.put_image_data(&image, 0.0, 0.0)
        });
    if let Err(e) = drawn {
        // The readout and labels still work; a blank grid is the visible symptom.
        gloo::console::warn!("attention map: the canvas could not be painted", e);
    }
}

/// Options 1..=count for the indices 0..count.
fn numbered(count: usize, selected: usize) -> Html {
    html! {
        <>
            { for (0..count).map(|i| html! {
                <option value={i.to_string()} selected={i == selected}>{format!("{}", i + 1)}</option>
            }) }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct CellsProps {
    inspection: ByAddress<Inspection>,
    layer: usize,
    head: usize,
    style: AttrValue,
    on_move: Callback<MouseEvent>,
    on_leave: Callback<MouseEvent>,
}

/// The canvas of cells, repainted only when the inspection, layer or head changes.
#[function_component(Cells)]
fn cells(props: &CellsProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(
            (props.inspection.clone(), props.layer, props.head),
            move |(ins, layer, head)| {
                if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                    paint(&canvas, ins, *layer, *head);
                }
            },
        );
    }
    let t = props.inspection.len();
    // `data-tokens` and `data-cells` (the query/key pairs drawn) say what the canvas shows.
    let cells = (t * (t + 1) / 2).to_string();
    let t = t.to_string();
    html! {
        <canvas ref={canvas} class="heatmap-cells" width={t.clone()} height={t.clone()} data-tokens={t} data-cells={cells}
            style={props.style.clone()} onmousemove={props.on_move.clone()} onmouseleave={props.on_leave.clone()} />
    }
}

#[derive(Properties, PartialEq)]
struct LabelsProps {
    inspection: ByAddress<Inspection>,
    layout: Layout,
}

/// Token labels on both axes (wrong tokens marked; thinned where they would overlap): rendered
/// once per inspection.
#[function_component(Labels)]
fn labels(props: &LabelsProps) -> Html {
    let ins = &props.inspection;
    let Layout { cell, font, .. } = props.layout;
    html! {
        <g class="labels">
            { for (0..ins.len()).step_by(props.layout.label_stride()).map(|i| {
                let pos = props.layout.at(i) + cell / 2.0;
                let class = classes!("axis-label", ins.is_wrong(i).then_some("wrong"));
                html! {
                    <g>
                        <text x={(LABEL - 3.0).to_string()} y={(pos + font / 3.0).to_string()}
                            text-anchor="end" font-size={font.to_string()} class={class.clone()}>{&ins.labels[i]}</text>
                        <text transform={format!("translate({pos:.1},{:.1}) rotate(-60)", LABEL - 3.0)}
                            font-size={font.to_string()} class={class}>{&ins.labels[i]}</text>
                    </g>
                }
            }) }
        </g>
    }
}

#[function_component(AttentionMap)]
pub fn attention_map(props: &Props) -> Html {
    let hover = use_hover::<(usize, usize)>();
    let Some(ins) = props.inspection.as_ref() else {
        return html! {
            <div class="empty" id="attention-map">{"Train a model to see where each token looks."}</div>
        };
    };
    if ins.n_layers == 0 {
        return html! { <StateSummary inspection={ins.clone()} focus={props.focus} /> };
    }
    let t = ins.len();
    let layout = Layout::new(t);
    let layer = props.layer.min(ins.n_layers.saturating_sub(1));
    let head = props.head.min(ins.n_heads.saturating_sub(1));
    // Keys after the query are never attended: no cell there.
    let hovered = hover.get().filter(|&(q, k)| k <= q && q < t);
    let readout = match hovered {
        Some((q, k)) => format!(
            "query {} `{}` → key {} `{}`: weight {:.3}",
            q,
            ins.labels[q],
            k,
            ins.labels[k],
            ins.weight(layer, head, q, k)
        ),
        None => "Hover a cell to read its weight.".to_string(),
    };
    let on_move = hover.track(move |x, y| {
        let (q, k) = ((y * t as f64) as usize, (x * t as f64) as usize);
        (k <= q && q < t).then_some((q, k))
    });
    let size = format!("{:.1}", layout.size);
    let row = |class: &'static str, q: usize, k: usize, width: usize| {
        html! {
            <rect x={layout.at(k).to_string()} y={layout.at(q).to_string()} class={class}
                width={(layout.cell * width as f64).to_string()} height={layout.cell.to_string()} />
        }
    };
    html! {
        <div class="attention-map" id="attention-map">
            <div class="pickers">
                { picker("attn-layer", "Layer", numbered(ins.n_layers, layer), false, on_select(&props.on_layer, |v| v.parse().ok())) }
                { picker("attn-head", "Head", numbered(ins.n_heads, head), false, on_select(&props.on_head, |v| v.parse().ok())) }
            </div>
            <div class="map-scroll" tabindex="0">
            <div class="heatmap" style={format!("min-width:{:.0}px", layout.size)}>
                <Cells inspection={ByAddress(ins.clone())} {layer} {head} style={layout.grid_style()}
                    {on_move} on_leave={hover.leave()} />
                <svg viewBox={format!("0 0 {size} {size}")} class="heatmap-overlay">
                    <Labels inspection={ByAddress(ins.clone())} {layout} />
                    if let Some(f) = props.focus.filter(|f| *f < t) { { row("focus-row", f, 0, t) } }
                    if let Some((q, k)) = hovered { { row("hover-cell", q, k, 1) } }
                </svg>
            </div>
            </div>
            <div class="readout" id="attention-readout">{readout}</div>
            <FileExport stem="attention" what="this head's map"
                svg={{
                    let (ins, about) = (ins.clone(), props.about.clone());
                    Callback::from(move |()| {
                        let side = svg_side(ins.len());
                        (attention_svg(&ins, layer, head, &about), side, side)
                    })
                }}
                csv={{
                    let (ins, about) = (ins.clone(), props.about.clone());
                    Callback::from(move |()| attention_csv(&ins, layer, head, &about))
                }} />
        </div>
    }
}
