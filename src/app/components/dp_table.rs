//! The DP table of the chain of thought, drawn as the task defines it: a 2-D grid for edit
//! distance with its border row and column (`D[i][0] = i`, `D[0][j] = j`, read from the input,
//! never written out), one row of `dp_i` under the numbers for LIS, and for arithmetic the stack
//! of rewrites — the prompt's expression on top, then one row per step, each the expression
//! before it with one operator evaluated (the cells a token reads, in the row above, are the
//! operator's operands or the symbol it copies). Each cell holds the value
//! the model wrote, the expected one beside a wrong value, and is highlighted like the token
//! strip (current cell, the cells it reads, cells not written yet); a click jumps there.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::app::hooks::{ByAddress, on_step_click};
use crate::tasks::{Cell, TaskKind};
use crate::train::Inspection;
use crate::train::eval::CellErrors;

#[derive(Properties)]
pub struct Props {
    pub inspection: Rc<Inspection>,
    /// Index into the tokens after the prompt.
    pub step: usize,
    pub on_goto: Callback<usize>,
    /// How often each cell comes out wrong in free generation over the held-out set.
    pub errors: Option<Rc<CellErrors>>,
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inspection, &other.inspection)
            && self.step == other.step
            && self.on_goto == other.on_goto
            && match (&self.errors, &other.errors) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// One written DP cell: the step that wrote it, the model's value and the reference's.
#[derive(Debug, Clone, PartialEq)]
struct Written {
    step: usize,
    model: String,
    expected: String,
}

/// The cells the chain of thought writes, by cell.
fn written(ins: &Inspection) -> BTreeMap<(usize, usize), Written> {
    let reference = &ins.reference;
    reference
        .trace
        .iter()
        .enumerate()
        .filter_map(|(k, t)| {
            let cell = t.cell?;
            let p = reference.prompt_len + k;
            Some((
                (cell.i, cell.j.unwrap_or(0)),
                Written {
                    step: k,
                    model: ins.labels.get(p).cloned().unwrap_or_default(),
                    expected: ins.reference_labels.get(p).cloned().unwrap_or_default(),
                },
            ))
        })
        .collect()
}

/// The prompt's tokens split at `|` (edit distance: the two strings), without the separator
/// that ends the prompt.
fn prompt_parts(ins: &Inspection) -> Vec<Vec<String>> {
    let prompt = &ins.labels[..ins.reference.prompt_len.min(ins.labels.len())];
    let prompt = match prompt.last() {
        Some(last) if last.starts_with('<') => &prompt[..prompt.len() - 1],
        _ => prompt,
    };
    prompt
        .split(|t| t == "|")
        .map(|part| part.to_vec())
        .collect()
}

/// The cell `at` as a table cell, highlighted for `step`.
fn cell_html(
    written: &BTreeMap<(usize, usize), Written>,
    at: (usize, usize),
    step: usize,
    current: Option<Cell>,
    deps: &[Cell],
    border: Option<String>,
) -> Html {
    let as_cell = |c: &Cell| (c.i, c.j.unwrap_or(0));
    let dep = deps.iter().any(|d| as_cell(d) == at);
    let is_current = current.as_ref().map(as_cell) == Some(at);
    if let Some(value) = border {
        return html! {
            <td class={classes!("dp-cell", "border", dep.then_some("dep"))}
                title="from the input (not written in the chain of thought)">{value}</td>
        };
    }
    let Some(w) = written.get(&at) else {
        return html! { <td class="dp-cell empty-cell"></td> };
    };
    let wrong = w.model != w.expected;
    let class = classes!(
        "dp-cell",
        wrong.then_some("wrong"),
        is_current.then_some("current"),
        (dep && !is_current).then_some("dep"),
        (w.step > step).then_some("future"),
    );
    let title = if wrong {
        format!(
            "step {}: the model wrote {}, expected {}",
            w.step + 1,
            w.model,
            w.expected
        )
    } else {
        format!("step {}: {} (correct)", w.step + 1, w.model)
    };
    html! {
        <td class={class} {title} data-step={w.step.to_string()}>
            <span class="dp-value">{&w.model}</span>
            if wrong { <span class="dp-expected">{&w.expected}</span> }
        </td>
    }
}

#[function_component(DpTable)]
pub fn dp_table(props: &Props) -> Html {
    let ins = &props.inspection;
    let cells = use_memo(ByAddress(ins.clone()), |ins| written(&ins.0));
    let on_click = use_memo(props.on_goto.clone(), |on_goto| {
        on_step_click(on_goto, "td[data-step]")
    });
    if cells.is_empty() {
        return html! {};
    }
    let step = props.step;
    let trace = ins.reference.trace.get(step);
    let current = trace.and_then(|t| t.cell);
    let deps: &[Cell] = trace.map_or(&[], |t| t.deps.as_slice());
    let two_d = ins
        .reference
        .trace
        .iter()
        .any(|t| t.cell.is_some_and(|c| c.j.is_some()));
    let rows = cells.keys().map(|k| k.0).max().unwrap_or(0);
    let wrong = cells.values().filter(|w| w.model != w.expected).count();
    let summary = format!(
        "{} of {} cells wrong{}",
        wrong,
        cells.len(),
        if wrong > 0 {
            ": the expected value is beside each wrong one"
        } else {
            ""
        }
    );
    let table = if ins.task == TaskKind::Arithmetic {
        rewrite_stack(ins, &cells, step, current, deps, &on_click)
    } else if two_d {
        let cols = cells.keys().map(|k| k.1).max().unwrap_or(0);
        let parts = prompt_parts(ins);
        let header = |part: usize, k: usize| {
            parts
                .get(part)
                .and_then(|p| p.get(k))
                .cloned()
                .unwrap_or_else(|| k.to_string())
        };
        // Edit distance's border is `D[i][0] = i`, `D[0][j] = j` (TASKS.md).
        let border = |i: usize, j: usize| {
            (ins.task == TaskKind::Ed && (i == 0 || j == 0)).then(|| (i + j).to_string())
        };
        html! {
            <table class="dp-table two-d" aria-label="DP table: rows i, columns j">
                <thead><tr>
                    <th scope="col"></th><th scope="col" class="dp-head">{"j = 0"}</th>
                    { for (1..=cols).map(|j| html! { <th scope="col" class="dp-head" title={format!("j = {j}")}>{header(1, j - 1)}</th> }) }
                </tr></thead>
                <tbody onclick={(*on_click).clone()}>
                    { for (0..=rows).map(|i| html! {
                        <tr>
                            <th scope="row" class="dp-head" title={format!("i = {i}")}>{ if i == 0 { "i = 0".to_string() } else { header(0, i - 1) } }</th>
                            { for (0..=cols).map(|j| cell_html(&cells, (i, j), step, current, deps, border(i, j))) }
                        </tr>
                    }) }
                </tbody>
            </table>
        }
    } else {
        // LIS: `dp_i` under `x_i` (the prompt's numbers).
        let x = |i: usize| {
            (ins.task == TaskKind::Lis)
                .then(|| ins.labels.get(i - 1).cloned())
                .flatten()
                .unwrap_or_else(|| i.to_string())
        };
        let first = cells.keys().map(|k| k.0).min().unwrap_or(1);
        html! {
            <table class="dp-table one-d" aria-label="DP table: one value per position">
                <tbody onclick={(*on_click).clone()}>
                    <tr><th scope="row" class="dp-head">{ if ins.task == TaskKind::Lis { "x_i" } else { "i" } }</th>
                        { for (first..=rows).map(|i| html! { <th scope="col" class="dp-head">{x(i)}</th> }) }</tr>
                    <tr><th scope="row" class="dp-head">{"dp_i"}</th>
                        { for (first..=rows).map(|i| cell_html(&cells, (i, 0), step, current, deps, None)) }</tr>
                </tbody>
            </table>
        }
    };
    html! {
        <div class="dp-table-wrap" id="dp-table">
            <div class="dp-summary">{summary}</div>
            <div class="dp-scroll" tabindex="0" role="region" aria-label="DP table">{table}</div>
            if let Some(errors) = props.errors.as_deref().filter(|e| !e.cells.is_empty()) {
                { error_map(errors, two_d, ins.task == TaskKind::Arithmetic) }
            }
        </div>
    }
}

/// Arithmetic's rewrite stack: the prompt's expression (row 0, from the input), then each
/// step's expression in the row below the one it rewrites, symbol k of step s in column k.
fn rewrite_stack(
    ins: &Inspection,
    cells: &BTreeMap<(usize, usize), Written>,
    step: usize,
    current: Option<Cell>,
    deps: &[Cell],
    on_click: &Callback<MouseEvent>,
) -> Html {
    // The prompt's expression, without the `=` that ends it.
    let prompt = prompt_parts(ins).concat();
    let prompt = match prompt.last() {
        Some(last) if last == "=" => &prompt[..prompt.len() - 1],
        _ => &prompt[..],
    };
    let steps = cells.keys().map(|k| k.0).max().unwrap_or(0);
    let width = |s: usize| {
        if s == 0 {
            prompt.len()
        } else {
            cells
                .keys()
                .filter(|k| k.0 == s)
                .map(|k| k.1 + 1)
                .max()
                .unwrap_or(0)
        }
    };
    let row = |s: usize| {
        let tds = (0..width(s)).map(|k| {
            let border = (s == 0).then(|| prompt[k].clone());
            cell_html(cells, (s, k), step, current, deps, border)
        });
        html! {
            <tr>
                <th scope="row" class="dp-head">{ if s == 0 { "prompt".to_string() } else { format!("step {s}") } }</th>
                { for tds }
            </tr>
        }
    };
    html! {
        <table class="dp-table rewrite-stack" aria-label="Rewrite stack: the prompt's expression, then one row per step">
            <tbody onclick={on_click.clone()}>{ for (0..=steps).map(row) }</tbody>
        </table>
    }
}

/// Where free generation goes wrong over the whole held-out set: the table's cells shaded by
/// the share of examples whose value there is wrong (the same layout as the table, its border
/// left out).
fn error_map(errors: &CellErrors, two_d: bool, steps: bool) -> Html {
    let by_cell: BTreeMap<(usize, usize), (u32, u32)> = errors
        .cells
        .iter()
        .map(|c| ((c.cell.i, c.cell.j.unwrap_or(0)), (c.wrong, c.written)))
        .collect();
    let examples = errors.cells.iter().map(|c| c.written).max().unwrap_or(0);
    let worst = errors
        .cells
        .iter()
        .max_by(|a, b| rate(a.wrong, a.written).total_cmp(&rate(b.wrong, b.written)));
    let cell = |at: (usize, usize)| match by_cell.get(&at) {
        Some(&(wrong, written)) => {
            let r = rate(wrong, written);
            // Up to a medium red: ink stays readable (AA) on the darkest shade.
            let style = format!("background: rgba(192, 57, 43, {:.3})", 0.55 * r);
            let label = if two_d {
                format!("({}, {})", at.0, at.1)
            } else {
                format!("dp_{}", at.0)
            };
            html! {
                <td class="dp-cell heat" {style} data-rate={format!("{r:.4}")}
                    title={format!("{label}: wrong in {wrong} of {written} held-out examples")}>
                    {format!("{:.0} %", 100.0 * r)}
                </td>
            }
        }
        None => html! { <td class="dp-cell empty-cell"></td> },
    };
    let rows = by_cell.keys().map(|k| k.0).max().unwrap_or(0);
    let first_row = by_cell.keys().map(|k| k.0).min().unwrap_or(0);
    let table = if two_d {
        let cols = by_cell.keys().map(|k| k.1).max().unwrap_or(0);
        let first_col = by_cell.keys().map(|k| k.1).min().unwrap_or(0);
        html! {
            <table class="dp-table two-d heat-map" aria-label="Error rate per DP cell: rows i, columns j">
                <thead><tr><th scope="col"></th>
                    { for (first_col..=cols).map(|j| html! { <th scope="col" class="dp-head">{ if steps { format!("k = {j}") } else { format!("j = {j}") } }</th> }) }
                </tr></thead>
                <tbody>
                    { for (first_row..=rows).map(|i| html! {
                        <tr><th scope="row" class="dp-head">{ if steps { format!("step {i}") } else { format!("i = {i}") } }</th>
                            { for (first_col..=cols).map(|j| cell((i, j))) }</tr>
                    }) }
                </tbody>
            </table>
        }
    } else {
        html! {
            <table class="dp-table one-d heat-map" aria-label="Error rate per DP cell">
                <tbody>
                    <tr><th scope="row" class="dp-head">{"i"}</th>
                        { for (first_row..=rows).map(|i| html! { <th scope="col" class="dp-head">{i}</th> }) }</tr>
                    <tr><th scope="row" class="dp-head">{"wrong"}</th>
                        { for (first_row..=rows).map(|i| cell((i, 0))) }</tr>
                </tbody>
            </table>
        }
    };
    let summary = match worst {
        Some(w) if w.wrong > 0 => format!(
            "Where free generation goes wrong over {examples} held-out examples: each cell's share \
             of examples whose value there is wrong (most often {}: {:.0} %; an early error also \
             derails the cells after it).",
            match w.cell.j {
                Some(j) => format!("({}, {j})", w.cell.i),
                None => format!("dp_{}", w.cell.i),
            },
            100.0 * rate(w.wrong, w.written)
        ),
        _ => format!("Free generation gets every cell right on all {examples} held-out examples."),
    };
    html! {
        <div class="dp-errors" id="dp-errors">
            <div class="dp-summary">{summary}</div>
            <div class="dp-scroll" tabindex="0" role="region" aria-label="Error rate per DP cell">{table}</div>
        </div>
    }
}

fn rate(wrong: u32, written: u32) -> f64 {
    f64::from(wrong) / f64::from(written.max(1))
}
