//! Steps through the model's greedy chain of thought next to the DP table: the current DP cell
//! and the cells it depends on are highlighted, wrong tokens are marked, and the attention of
//! the current token (selected layer/head) is drawn under each position for comparison.

use std::rc::Rc;

use yew::prelude::*;

use crate::tasks::{Segment, TaskKind};
use crate::train::Inspection;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub inspection: Option<Rc<Inspection>>,
    /// Index into the tokens after the prompt.
    pub step: usize,
    pub layer: usize,
    pub head: usize,
    /// Move by this many steps (clamped by the page).
    pub on_step: Callback<i32>,
    /// Jump to a step.
    pub on_goto: Callback<usize>,
}

/// One token box with its role classes and an attention bar.
fn token(
    text: &str,
    classes: Classes,
    attention: Option<f32>,
    title: String,
    index: Option<String>,
) -> Html {
    html! {
        <div class={classes!("tok", classes)} title={title}>
            if let Some(index) = index { <span class="tok-index">{index}</span> }
            <span class="tok-text">{text.to_string()}</span>
            if let Some(w) = attention {
                <span class="attn-bar"><span class="attn-fill" style={format!("height:{:.0}%", 100.0 * w.clamp(0.0, 1.0))}></span></span>
            }
        </div>
    }
}

/// What the current step of the chain of thought computes, in words.
fn explain(ins: &Inspection, step: usize) -> String {
    let reference = &ins.reference;
    let pos = reference.prompt_len + step;
    let trace = &reference.trace[step];
    let deps = &trace.dep_positions;
    let is_lis = ins.task == TaskKind::Lis;
    match (trace.cell, reference.segment(pos)) {
        // LIS reads best: dp_i = 1 + max over smaller earlier numbers.
        (Some(c), _) if is_lis && trace.deps.is_empty() => format!(
            "dp{} = 1: no earlier number is smaller than x{} = {}.",
            c.i,
            c.i,
            ins.labels[c.i - 1]
        ),
        (Some(c), _) if is_lis => format!(
            "dp{} = 1 + max dp_j over the {} earlier position(s) j with x_j < x{} = {} (highlighted).",
            c.i,
            trace.deps.len(),
            c.i,
            ins.labels[c.i - 1]
        ),
        (Some(c), _) if trace.deps.is_empty() => {
            format!("DP cell {c}: a base case, read from the input (highlighted).")
        }
        (Some(c), _) => format!(
            "DP cell {c} is computed from {} earlier cell(s): {} (highlighted).",
            trace.deps.len(),
            trace
                .deps
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, Segment::Answer) if deps.is_empty() => "The answer.".to_string(),
        (None, Segment::Answer) => format!(
            "The answer, decided by the {} highlighted token(s).",
            deps.len()
        ),
        _ => "A separator or rewritten step: the chain of thought moves on.".to_string(),
    }
}

#[function_component(CotPlayer)]
pub fn cot_player(props: &Props) -> Html {
    let Some(ins) = props.inspection.as_ref() else {
        return html! {
            <div class="empty" id="cot-player">{"After training, the model writes its chain of thought here, one DP cell at a time."}</div>
        };
    };
    let reference = &ins.reference;
    let n_after = ins.len() - reference.prompt_len;
    let step = props.step.min(n_after.saturating_sub(1));
    let pos = reference.prompt_len + step;
    let trace = &reference.trace[step];
    let layer = props.layer.min(ins.n_layers.saturating_sub(1));
    let head = props.head.min(ins.n_heads.saturating_sub(1));
    // Attention of the token that *produced* position `pos` (query pos-1 predicts pos).
    let query = pos - 1;
    let attn =
        |k: usize| (k <= query && ins.n_layers > 0).then(|| ins.weight(layer, head, query, k));
    // Which tokens the current one is computed from, for any task: DP cells written out
    // earlier, or the prompt tokens that decide a classification.
    let deps = &trace.dep_positions;
    let prompt_row = (0..reference.prompt_len).map(|p| {
        let classes = classes!("prompt", deps.contains(&p).then_some("dep"));
        token(
            &ins.labels[p],
            classes,
            attn(p),
            format!("prompt token {p}: {}", ins.labels[p]),
            Some(p.to_string()),
        )
    });
    let cot_row = (0..n_after).map(|k| {
        let p = reference.prompt_len + k;
        let cell = reference.trace.get(k).and_then(|t| t.cell);
        let label = match (cell, reference.segment(p)) {
            (Some(c), _) if c.j.is_none() => Some(format!("dp{}", c.i)),
            (Some(c), _) => Some(c.to_string()),
            (None, Segment::Answer) => Some("ans".to_string()),
            _ => None,
        };
        let wrong = ins.is_wrong(p);
        let classes = classes!(
            "cot",
            (k > step).then_some("future"),
            (k == step).then_some("current"),
            (deps.contains(&p) && k < step).then_some("dep"),
            wrong.then_some("wrong"),
            (reference.segment(p) == Segment::Answer).then_some("answer"),
        );
        let title = if wrong {
            format!(
                "model wrote {}, reference {}",
                ins.labels[p], ins.reference_labels[p]
            )
        } else {
            format!("{} (correct)", ins.labels[p])
        };
        html! {
            <div class="tok-wrap" onclick={props.on_goto.reform(move |_: MouseEvent| k)}>
                { token(&ins.labels[p], classes, attn(p), title, label) }
            </div>
        }
    });
    let explanation = explain(ins, step);
    let grade = if ins.grade.exact {
        "The whole chain of thought is correct.".to_string()
    } else {
        match ins.grade.first_wrong {
            Some(k) => format!("First mistake at step {} of {n_after}.", k + 1),
            None => "Incorrect.".to_string(),
        }
    };
    let prev = props.on_step.reform(|_: MouseEvent| -1);
    let next = props.on_step.reform(|_: MouseEvent| 1);
    html! {
        <div class="cot-player" id="cot-player">
            <div class="controls">
                <button id="cot-prev" onclick={prev} disabled={step == 0}>{"← Previous"}</button>
                <span class="step-counter" id="cot-step">{format!("step {} / {}", step + 1, n_after)}</span>
                <button id="cot-next" onclick={next} disabled={step + 1 >= n_after}>{"Next →"}</button>
                <span class={classes!("grade", if ins.grade.exact { "ok" } else { "bad" })}>{grade}</span>
            </div>
            <div class="row"><span class="row-label">{"prompt"}</span><div class="tokens">{ for prompt_row }</div></div>
            <div class="row"><span class="row-label">{"model"}</span><div class="tokens">{ for cot_row }</div></div>
            <p class="explanation" id="cot-explanation">{explanation}</p>
            <p class="hint">{ if ins.n_layers > 0 {
                format!("Bars: attention of the token that wrote this step (layer {}, head {}). Keys ←/→ step through.", layer + 1, head + 1)
            } else {
                "A recurrent model has no attention to show here; its state is summarised in the panel on the left. Keys ←/→ step through.".to_string()
            } }</p>
        </div>
    }
}
