//! Steps through the model's greedy chain of thought next to the DP table: the current DP cell
//! and the cells it depends on are highlighted, wrong tokens are marked, and the attention of
//! the current token (selected layer/head) is drawn under each position for comparison.
//!
//! A step re-renders only the tokens whose highlight or attention bar changes: what does not
//! depend on the step (texts, titles, DP labels) is computed once per inspection, each token is
//! a component compared by its props, and one click listener serves the whole row.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::hooks::{ByAddress, on_step_click, same_address};
use crate::tasks::{Segment, TaskKind};
use crate::train::Inspection;

#[derive(Properties)]
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

/// The inspection by address (see [`ByAddress`]).
impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        same_address(&self.inspection, &other.inspection)
            && self.step == other.step
            && self.layer == other.layer
            && self.head == other.head
            && self.on_step == other.on_step
            && self.on_goto == other.on_goto
    }
}

/// What a token shows whatever the step: computed once per inspection.
#[derive(Debug, Clone, PartialEq)]
struct TokenText {
    text: AttrValue,
    title: AttrValue,
    /// The small label above the text: the prompt position or the DP cell.
    index: Option<AttrValue>,
    /// `prompt`, or `cot` with `wrong` / `answer`.
    role: Classes,
    /// The reference's token where the model's is wrong.
    expected: Option<AttrValue>,
}

/// Every token's [`TokenText`], prompt first.
fn token_texts(ins: &Inspection) -> Vec<TokenText> {
    let reference = &ins.reference;
    (0..ins.len())
        .map(|p| {
            let text = AttrValue::from(ins.labels[p].clone());
            if p < reference.prompt_len {
                return TokenText {
                    title: format!("prompt token {p}: {}", ins.labels[p]).into(),
                    index: Some(p.to_string().into()),
                    role: classes!("prompt"),
                    text,
                    expected: None,
                };
            }
            let cell = reference
                .trace
                .get(p - reference.prompt_len)
                .and_then(|t| t.cell);
            let index = match (cell, reference.segment(p)) {
                (Some(c), _) if c.j.is_none() => Some(format!("dp{}", c.i).into()),
                (Some(c), _) => Some(c.to_string().into()),
                (None, Segment::Answer) => Some("ans".into()),
                _ => None,
            };
            let wrong = ins.is_wrong(p);
            let title = if wrong {
                format!(
                    "model wrote {}, reference {}",
                    ins.labels[p], ins.reference_labels[p]
                )
            } else {
                format!("{} (correct)", ins.labels[p])
            };
            TokenText {
                title: title.into(),
                index,
                role: classes!(
                    "cot",
                    wrong.then_some("wrong"),
                    (reference.segment(p) == Segment::Answer).then_some("answer"),
                ),
                text,
                expected: wrong.then(|| AttrValue::from(ins.reference_labels[p].clone())),
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct TokenProps {
    text: TokenText,
    /// Step-dependent classes: `current`, `future`, `dep`.
    state: Classes,
    /// Height of the attention bar in whole percent (whole percent: a bar whose rounded height
    /// does not change is not re-rendered).
    attention: Option<u8>,
}

/// One token box with its role classes and an attention bar.
#[function_component(Token)]
fn token(props: &TokenProps) -> Html {
    let t = &props.text;
    html! {
        <div class={classes!("tok", t.role.clone(), props.state.clone())} title={t.title.clone()}>
            if let Some(index) = &t.index { <span class="tok-index">{index.clone()}</span> }
            <span class="tok-text">{t.text.clone()}</span>
            if let Some(expected) = &t.expected {
                <span class="tok-expected" aria-label={format!("expected {expected}")}>{expected.clone()}</span>
            }
            if let Some(w) = props.attention {
                <span class="attn-bar"><span class="attn-fill" style={format!("height:{w}%")}></span></span>
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
    let texts = use_memo(props.inspection.clone().map(ByAddress), |ins| {
        ins.as_ref().map_or_else(Vec::new, |ins| token_texts(ins))
    });
    // One listener for the whole row of generated tokens.
    let on_click = use_memo(props.on_goto.clone(), |on_goto| {
        on_step_click(on_goto, ".tok-wrap")
    });
    let Some(ins) = props.inspection.as_ref() else {
        return html! {
            <div class="empty" id="cot-player">{"After training, the model writes its chain of thought here, one DP cell at a time."}</div>
        };
    };
    let reference = &ins.reference;
    let n_after = ins.len() - reference.prompt_len;
    let step = props.step.min(n_after.saturating_sub(1));
    let pos = reference.prompt_len + step;
    let layer = props.layer.min(ins.n_layers.saturating_sub(1));
    let head = props.head.min(ins.n_heads.saturating_sub(1));
    // Attention of the token that *produced* position `pos` (query pos-1 predicts pos).
    let query = pos - 1;
    let attn = |k: usize| {
        (k <= query && ins.n_layers > 0)
            .then(|| (100.0 * ins.weight(layer, head, query, k).clamp(0.0, 1.0)).round() as u8)
    };
    // Which tokens the current one is computed from, for any task: DP cells written out
    // earlier, or the prompt tokens that decide a classification.
    let deps = &reference.trace[step].dep_positions;
    let prompt_row = (0..reference.prompt_len).map(|p| {
        html! {
            <Token key={p} text={texts[p].clone()} state={classes!(deps.contains(&p).then_some("dep"))} attention={attn(p)} />
        }
    });
    let cot_row = (0..n_after).map(|k| {
        let p = reference.prompt_len + k;
        let state = classes!(
            (k > step).then_some("future"),
            (k == step).then_some("current"),
            (deps.contains(&p) && k < step).then_some("dep"),
        );
        html! {
            <div class="tok-wrap" key={k} data-step={k.to_string()}>
                <Token text={texts[p].clone()} {state} attention={attn(p)} />
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
            <div class="row"><span class="row-label">{"model"}</span><div class="tokens" onclick={(*on_click).clone()}>{ for cot_row }</div></div>
            <p class="explanation" id="cot-explanation">{explanation}</p>
            <p class="hint">{ if ins.n_layers > 0 {
                format!("Bars: attention of the token that wrote this step (layer {}, head {}). Keys ←/→ step through.", layer + 1, head + 1)
            } else {
                "A recurrent model has no attention to show here; its state is summarised in the panel on the left. Keys ←/→ step through.".to_string()
            } }</p>
        </div>
    }
}
