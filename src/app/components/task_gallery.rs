//! The task gallery: pick any task of the three papers, read what it tests and which claim it
//! illustrates, and look at a generated example with prompt / CoT / answer coloured apart.
//! Bad sizes or parameters show an error and keep the last good sample on screen.

use yew::prelude::*;

use crate::tasks::{Example, Segment, Task, TaskKind, TaskSpec};

/// What the gallery shows: the request and the last sample that could be built.
#[derive(Clone, PartialEq)]
struct View {
    spec: TaskSpec,
    seed: u64,
    error: Option<String>,
}

/// The number a gallery field edits.
#[derive(Clone, Copy)]
enum Field {
    Size,
    /// A task parameter, by name.
    Param(&'static str),
}

impl Field {
    fn apply(self, spec: &mut TaskSpec, value: usize) {
        match self {
            Field::Size => spec.size = value,
            Field::Param(name) => spec.params.set(name, Some(value)),
        }
    }
}

fn build(spec: &TaskSpec) -> Result<Box<dyn Task>, String> {
    spec.build().map_err(|e| e.to_string())
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

#[function_component(TaskGallery)]
pub fn task_gallery() -> Html {
    let view = use_state(|| View {
        spec: TaskSpec::default_for(TaskKind::Arithmetic),
        seed: 1,
        error: None,
    });
    // The sample on screen: rebuilt only from a valid spec.
    let shown = use_state(|| view.spec.clone());
    let hover = use_state(|| None::<usize>);

    let set_spec = {
        let view = view.clone();
        let shown = shown.clone();
        Callback::from(move |spec: TaskSpec| match build(&spec) {
            Ok(_) => {
                shown.set(spec.clone());
                view.set(View {
                    spec,
                    seed: view.seed,
                    error: None,
                });
            }
            Err(e) => view.set(View {
                spec,
                seed: view.seed,
                error: Some(e),
            }),
        })
    };
    let on_task = {
        let set_spec = set_spec.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(kind) = TaskKind::from_name(&select.value()) {
                set_spec.emit(TaskSpec::default_for(kind));
            }
        })
    };
    let number = |id: String, label: String, value: Option<usize>, field: Field| {
        let view = view.clone();
        let set_spec = set_spec.clone();
        let shown_label = label.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let text = input.value();
            let mut spec = view.spec.clone();
            match text.trim().parse::<usize>() {
                Ok(v) => {
                    field.apply(&mut spec, v);
                    set_spec.emit(spec);
                }
                Err(_) => view.set(View {
                    error: Some(format!("{shown_label}: `{text}` is not a whole number")),
                    ..(*view).clone()
                }),
            }
        });
        let value = value.map(|v| v.to_string()).unwrap_or_default();
        html! {
            <label class="field" for={id.clone()}>
                <span>{label}</span>
                <input id={id} type="number" min="0" {value} {onchange} />
            </label>
        }
    };
    let next = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| {
            view.set(View {
                seed: view.seed.wrapping_add(1),
                ..(*view).clone()
            })
        })
    };

    let info = view.spec.task.info();
    let param_fields = info.params.iter().map(|p| {
        number(
            format!("gallery-{}", p.name),
            format!("{} ({}..{})", p.meaning, p.min, p.max),
            Some(view.spec.params.value(p)),
            Field::Param(p.name),
        )
    });

    let sample = build(&shown).ok().map(|task| {
        let ex = task.sample(view.seed, 1).remove(0);
        (task, ex)
    });
    let body = match &sample {
        Some((task, ex)) => {
            let highlighted: Vec<usize> = hover
                .and_then(|p| ex.trace_at(p))
                .map(|t| t.dep_positions.clone())
                .unwrap_or_default();
            let tokens = ex.tokens.iter().enumerate().map(|(pos, &id)| {
                let seg = match ex.segment(pos) {
                    Segment::Prompt => "seg-prompt",
                    Segment::Cot => "seg-cot",
                    Segment::Answer => "seg-answer",
                };
                let hover_set = hover.clone();
                let hover_clear = hover.clone();
                html! {
                    <span class={classes!("gtok", seg, highlighted.contains(&pos).then_some("dep"), (*hover == Some(pos)).then_some("current"))}
                        title={token_title(task.as_ref(), ex, pos)}
                        onmouseenter={Callback::from(move |_: MouseEvent| hover_set.set(Some(pos)))}
                        onmouseleave={Callback::from(move |_: MouseEvent| hover_clear.set(None))}>
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
                        <span>{format!("{} tokens (at most {} at this size) · seed {} · hover a token to see what it reads", ex.len(), task.max_seq_len(), view.seed)}</span>
                    </div>
                </>
            }
        }
        None => html! { <div class="empty">{"No sample."}</div> },
    };

    html! {
        <div class="task-gallery" id="task-gallery">
            <div class="gallery-controls">
                <label class="field" for="gallery-task">
                    <span>{"Task"}</span>
                    <select id="gallery-task" onchange={on_task}>
                        { for TaskKind::all().iter().map(|k| html! {
                            <option value={k.name()} selected={*k == view.spec.task}>{k.info().title}</option>
                        }) }
                    </select>
                </label>
                { number("gallery-size".into(), format!("{} ({}..{})", info.size_meaning, info.min_size, info.max_size), Some(view.spec.size), Field::Size) }
                { for param_fields }
                <button id="gallery-next" class="small-button" onclick={next}>{"Another sample"}</button>
            </div>
            <p class="gallery-claim" id="gallery-claim">{info.claim}</p>
            <p class="hint">{format!("Tests {} · {} · {}", info.tests, info.paper.citation(), info.locality.describe())}</p>
            if let Some(e) = &view.error {
                <div class="error" role="alert" id="gallery-error">{e}</div>
            }
            { body }
        </div>
    }
}
