//! One generated example of a task, with prompt / CoT / answer coloured apart; hovering a token
//! highlights the earlier tokens it is computed from.

use yew::prelude::*;

use crate::app::hooks::use_hover;
use crate::tasks::{Example, Segment, Task, TaskSpec};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// A spec that builds (the gallery checks it first).
    pub spec: TaskSpec,
    pub seed: u64,
}

fn segment_class(ex: &Example, pos: usize) -> &'static str {
    match ex.segment(pos) {
        Segment::Prompt => "seg-prompt",
        Segment::Cot => "seg-cot",
        Segment::Answer => "seg-answer",
    }
}

fn token_title(task: &dyn Task, ex: &Example, pos: usize) -> String {
    let seg = match ex.segment(pos) {
        Segment::Prompt => "prompt",
        Segment::Cot => "chain of thought",
        Segment::Answer => "answer",
    };
    let mut title = format!("#{pos} · {seg}");
    if let Some(t) = ex.trace_at(pos) {
        if let Some(cell) = t.cell {
            title.push_str(&format!(" · DP cell {cell}"));
        }
        if !t.dep_positions.is_empty() {
            let deps: Vec<String> = t
                .dep_positions
                .iter()
                .take(12)
                .map(|&p| format!("{}@{p}", task.vocab().text(ex.tokens[p])))
                .collect();
            let more = t.dep_positions.len().saturating_sub(12);
            title.push_str(&format!(" · reads {}", deps.join(", ")));
            if more > 0 {
                title.push_str(&format!(" (+{more})"));
            }
        }
    }
    title
}

#[function_component(GallerySample)]
pub fn gallery_sample(props: &Props) -> Html {
    let hover = use_hover::<usize>();
    let Ok(task) = props.spec.build() else {
        return html! { <div class="empty">{"No sample."}</div> };
    };
    let ex = task.sample(props.seed, 1).remove(0);
    let hovered = hover.get();
    let highlighted: Vec<usize> = hovered
        .and_then(|p| ex.trace_at(p))
        .map(|t| t.dep_positions.clone())
        .unwrap_or_default();
    let tokens = ex.tokens.iter().enumerate().map(|(pos, &id)| {
        html! {
            <span class={classes!("gtok", segment_class(&ex, pos), highlighted.contains(&pos).then_some("dep"), (hovered == Some(pos)).then_some("current"))}
                title={token_title(task.as_ref(), &ex, pos)}
                onmouseenter={hover.enter(pos)}
                onmouseleave={hover.leave()}>
                {task.vocab().text(id).to_string()}
            </span>
        }
    });
    html! {
        <>
            <div class="gallery-sample" id="gallery-sample">{ for tokens }</div>
            <div class="legend">
                <span class="seg-key seg-prompt">{format!("prompt · {}", ex.prompt_len)}</span>
                <span class="seg-key seg-cot">{format!("chain of thought · {}", ex.cot_len)}</span>
                <span class="seg-key seg-answer">{"answer"}</span>
                <span>{format!("{} tokens (at most {} at this size) · seed {} · hover a token to see what it reads", ex.len(), task.max_seq_len(), props.seed)}</span>
            </div>
        </>
    }
}
