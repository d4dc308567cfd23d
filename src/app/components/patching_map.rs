//! Activation patching's map: per layer input (rows; 0 = the embedded tokens) and position
//! (columns), the share of the clean answer's logit lead that putting back that one clean
//! activation into the corrupted run restores. Drawn as SVG cells, so it exports like a chart.

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick};
use crate::app::instrument_figures::patching_csv;
use crate::app::wire::protocol::PatchView;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: PatchView,
    pub about: AttrValue,
}

/// A cell's side, in SVG units.
const CELL: f64 = 16.0;

/// White at 0, dark blue at 1 (and beyond), orange below 0 (the patch pushes the other way).
fn fill(r: f64) -> String {
    if r >= 0.0 {
        format!("hsl(215, 70%, {:.0}%)", 97.0 - 62.0 * r.min(1.0))
    } else {
        format!("hsl(28, 85%, {:.0}%)", 97.0 - 47.0 * (-r).min(1.0))
    }
}

#[function_component(PatchingMap)]
pub fn patching_map(props: &Props) -> Html {
    let v = &props.view;
    let p = &v.patching;
    let rows = p.recovered.len().max(1);
    let cols = p.recovered.first().map_or(0, Vec::len).max(1);
    let frame = Frame {
        width: 110.0 + CELL * cols as f64 + 12.0,
        height: 12.0 + CELL * rows as f64 + 44.0,
        left: 110.0,
        right: 12.0,
        top: 12.0,
        bottom: 44.0,
    };
    let n = |x: f64| format!("{x:.1}");
    let left: Vec<Tick> = (0..rows)
        .map(|l| {
            let label = if l == 0 {
                "embedding".to_string()
            } else {
                format!("into layer {}", l + 1)
            };
            let label = if l + 1 == rows && rows > 1 {
                "final stream".to_string()
            } else {
                label
            };
            Tick::new(1.0 - (l as f64 + 0.5) / rows as f64, label)
        })
        .collect();
    let token = |texts: &[String], k: usize| texts.get(k).cloned().unwrap_or_default();
    let bottom = vec![
        (0..cols)
            .map(|k| Tick::new((k as f64 + 0.5) / cols as f64, token(&v.clean_text, k)))
            .collect(),
        (0..cols)
            .map(|k| {
                let (a, b) = (token(&v.clean_text, k), token(&v.corrupt_text, k));
                Tick::new(
                    (k as f64 + 0.5) / cols as f64,
                    if a == b { String::new() } else { b },
                )
            })
            .collect(),
    ];
    let export = Export::with_table("patching", &props.about, v.clone(), patching_csv);
    let answer = |id: u32, texts: &[String], seq: &[u32]| {
        seq.iter()
            .position(|&t| t == id)
            .map_or_else(|| id.to_string(), |k| token(texts, k))
    };
    html! {
        <div class="instrument-result" id="patching-result">
            <p class="caption">{ format!(
                "Clean answer {} leads the corrupted run's answer {} by {:.2} logits on the clean sequence and {:.2} on the corrupted one. Each cell: the share of that lead restored by putting back the clean activation at that layer input and position (1: it alone restores it). Under the map: the clean tokens, and the corrupted token where it differs.",
                answer(p.clean_answer, &v.clean_text, &p.clean), answer(p.corrupt_answer, &v.corrupt_text, &p.corrupt),
                p.clean_difference, p.corrupt_difference) }</p>
            <Chart {frame} label="activation patching: lead restored per layer and position" {left} {bottom} export={Some(export)} min_scale={1.0}>
                { for p.recovered.iter().enumerate().flat_map(|(l, row)| row.iter().enumerate().map(move |(k, r)| {
                    let y = frame.top + CELL * (rows - 1 - l) as f64;
                    html! {
                        <rect x={n(frame.left + CELL * k as f64)} y={n(y)} width={n(CELL - 1.0)} height={n(CELL - 1.0)}
                            style={format!("fill:{}", fill(*r))} class="patch-cell">
                            <title>{format!("layer input {l}, position {k}: {:.2}", r)}</title>
                        </rect>
                    }
                })) }
            </Chart>
        </div>
    }
}
