//! The agreement grid beside the attention map: one cell per layer × head, the share of its
//! attention that falls where the task's algorithm reads (teacher-forced, held-out examples),
//! shaded against uniform attention's chance level. Clicking a cell shows that head in the map.
//! The scores come from the worker ([`crate::instruments::agreement`]); this only draws them.

use std::rc::Rc;

use yew::prelude::*;

use super::FileExport;
use crate::app::instrument_figures::{agreement_csv, agreement_svg};
use crate::instruments::agreement::{Agreement, HeadAgreement};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub agreement: Option<Rc<Result<Agreement, String>>>,
    /// The head the attention map shows (outlined here).
    pub layer: usize,
    pub head: usize,
    pub on_layer: Callback<usize>,
    pub on_head: Callback<usize>,
    /// The model's config (JSON), written into exported files.
    #[prop_or_default]
    pub about: AttrValue,
}

fn pct(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

/// Background of a cell: white at or below chance, dark green at 100 %.
fn shade(h: &HeadAgreement, chance: f64) -> String {
    let above = ((h.mass.estimate - chance) / (1.0 - chance).max(1e-9)).clamp(0.0, 1.0);
    let light = 97.0 - 62.0 * above;
    format!("background: hsl(150, 45%, {light:.0}%)")
}

fn describe(h: &HeadAgreement) -> String {
    format!(
        "layer {} head {}: {:.1} % of its attention on what the algorithm reads [{:.1}, {:.1}]; \
         its most attended position is one of them at {:.1} % of positions [{:.1}, {:.1}]",
        h.layer + 1,
        h.head + 1,
        100.0 * h.mass.estimate,
        100.0 * h.mass.low,
        100.0 * h.mass.high,
        100.0 * h.argmax.estimate,
        100.0 * h.argmax.low,
        100.0 * h.argmax.high
    )
}

#[function_component(AgreementGrid)]
pub fn agreement_grid(props: &Props) -> Html {
    let Some(result) = props.agreement.as_deref() else {
        return html! {};
    };
    let table = match result {
        Ok(table) => table,
        Err(why) => {
            return html! {
                <div class="agreement" id="agreement">
                    <p class="note">{ format!("Agreement with the algorithm: {why}.") }</p>
                </div>
            };
        }
    };
    let layers = table
        .heads
        .iter()
        .map(|h| h.layer)
        .max()
        .map_or(0, |l| l + 1);
    let heads = table
        .heads
        .iter()
        .map(|h| h.head)
        .max()
        .map_or(0, |h| h + 1);
    let best = table.best().map(|b| (b.layer, b.head));
    let rows =
        (0..layers).map(|layer| {
            let cells = table.heads.iter().filter(|h| h.layer == layer).map(|h| {
            let (on_layer, on_head, l, hd) =
                (props.on_layer.clone(), props.on_head.clone(), h.layer, h.head);
            let onclick = Callback::from(move |_: MouseEvent| {
                on_layer.emit(l);
                on_head.emit(hd);
            });
            let mut class = classes!("agreement-cell");
            let id = format!("agreement-{}-{}", h.layer + 1, h.head + 1);
            if (h.layer, h.head) == (props.layer, props.head) {
                class.push("selected");
            }
            if best == Some((h.layer, h.head)) {
                class.push("best");
            }
            html! {
                <td>
                    <button type="button" {id} {class} style={shade(h, table.chance)} {onclick}
                        title={describe(h)} aria-label={format!("{}, {}", pct(h.mass.estimate), describe(h))}
                        aria-pressed={((h.layer, h.head) == (props.layer, props.head)).to_string()}>
                        { pct(h.mass.estimate) }
                    </button>
                </td>
            }
        });
            html! { <tr><th scope="row">{ format!("L{}", layer + 1) }</th>{ for cells }</tr> }
        });
    let chance_note = if table.chance > 0.9 {
        " The algorithm reads almost every visible position here, so every head sits near \
         chance by design (MAJORITY's uniform head)."
    } else {
        ""
    };
    html! {
        <div class="agreement" id="agreement">
            <p class="agreement-caption" id="agreement-caption">
                { format!(
                    "Attention on what the algorithm reads, per head ({} held-out examples, \
                     {} predicted positions, teacher-forced). Chance (uniform attention): {}.{chance_note}",
                    table.examples, table.positions, pct(table.chance)
                ) }
            </p>
            <table class="agreement-grid" aria-describedby="agreement-caption">
                <thead><tr><td></td>{ for (0..heads).map(|h| html! { <th scope="col">{ format!("H{}", h + 1) }</th> }) }</tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <FileExport stem="agreement" what="the agreement grid"
                svg={{
                    let (table, about) = (table.clone(), props.about.clone());
                    Callback::from(move |()| agreement_svg(&table, &about))
                }}
                csv={{
                    let (table, about) = (table.clone(), props.about.clone());
                    Callback::from(move |()| agreement_csv(&table, &about))
                }} />
            <p class="note">{"Click a head to show it in the map. "}<code>{"lab eval FILE --agreement"}</code>{" prints the intervals."}</p>
        </div>
    }
}
