//! Which example the chain-of-thought player shows: browse the run's held-out set (previous,
//! next, the first one the model gets wrong, or only the wrong ones), or type a prompt in the
//! task's text format, read by the task's own parser in the worker (as `lab predict --input`);
//! a malformed one is refused with the parser's reason.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::wire::protocol::ExampleChoice;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The held-out example shown (`None`: a typed prompt).
    pub current: Option<usize>,
    /// Size of the held-out set (0 until the model is evaluated on it).
    pub count: usize,
    /// The held-out examples the model gets wrong, once evaluated.
    pub misses: Option<Rc<Vec<usize>>>,
    /// Why the last request could not be shown.
    pub error: Option<String>,
    /// No kept model to look at, or a run in progress.
    pub disabled: bool,
    /// The current example's prompt as text (the typed prompt's format, as a hint).
    pub prompt_hint: AttrValue,
    pub on_example: Callback<ExampleChoice>,
}

/// The example after (or before) `current` in the held-out set, or among the wrong ones only.
fn neighbour(
    current: Option<usize>,
    count: usize,
    misses: Option<&[usize]>,
    wrong_only: bool,
    forward: bool,
) -> Option<usize> {
    match (wrong_only, misses) {
        (true, Some(misses)) => match (current, forward) {
            (None, true) => misses.first().copied(),
            (None, false) => None,
            (Some(c), true) => misses.iter().copied().find(|&m| m > c),
            (Some(c), false) => misses.iter().rev().copied().find(|&m| m < c),
        },
        _ => match (current, forward) {
            (None, true) => (count > 0).then_some(0),
            (None, false) => None,
            (Some(c), true) => (c + 1 < count).then_some(c + 1),
            (Some(c), false) => c.checked_sub(1),
        },
    }
}

#[function_component(ExamplePicker)]
pub fn example_picker(props: &Props) -> Html {
    let wrong_only = use_state(|| false);
    let typed = use_node_ref();
    let misses = props.misses.as_deref().map(Vec::as_slice);
    let go = |target: Option<usize>| {
        let on_example = props.on_example.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = target {
                on_example.emit(ExampleChoice::HeldOut(i));
            }
        })
    };
    let prev = neighbour(props.current, props.count, misses, *wrong_only, false);
    let next = neighbour(props.current, props.count, misses, *wrong_only, true);
    let first_wrong = misses.and_then(|m| m.first().copied());
    let on_wrong_only = {
        let wrong_only = wrong_only.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            wrong_only.set(input.checked());
        })
    };
    let on_submit = {
        let (typed, on_example) = (typed.clone(), props.on_example.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(input) = typed.cast::<web_sys::HtmlInputElement>() {
                on_example.emit(ExampleChoice::Prompt(input.value()));
            }
        })
    };
    let is_wrong = |i: usize| misses.is_some_and(|m| m.binary_search(&i).is_ok());
    let where_ = match props.current {
        Some(i) if props.count > 0 => format!(
            "held-out example {} of {}{}",
            i + 1,
            props.count,
            match misses {
                Some(_) if is_wrong(i) => " · wrong",
                Some(_) => " · right",
                None => "",
            }
        ),
        Some(i) => format!("held-out example {}", i + 1),
        None => "your prompt".into(),
    };
    let tally = misses.map(|m| {
        format!(
            "{} of {} held-out examples wrong (free generation)",
            m.len(),
            props.count
        )
    });
    let disabled = props.disabled;
    html! {
        <div class="example-picker" id="example-picker">
            <div class="example-nav">
                <button id="example-prev" class="small-button" disabled={disabled || prev.is_none()} onclick={go(prev)}>{"← Example"}</button>
                <span id="example-where" class="example-where">{where_}</span>
                <button id="example-next" class="small-button" disabled={disabled || next.is_none()} onclick={go(next)}>{"Example →"}</button>
                <button id="example-first-wrong" class="small-button" disabled={disabled || first_wrong.is_none()} onclick={go(first_wrong)}>{"First wrong"}</button>
                <label class="check-label"><input type="checkbox" id="example-wrong-only" checked={*wrong_only}
                    disabled={disabled || misses.is_none()} onchange={on_wrong_only} />{"wrong only"}</label>
                if let Some(tally) = tally { <span class="hint">{tally}</span> }
            </div>
            <form class="example-prompt" onsubmit={on_submit}>
                <label for="example-prompt-input">{"Your prompt"}</label>
                <input id="example-prompt-input" ref={typed} type="text" placeholder={format!("e.g. {}", props.prompt_hint)}
                    spellcheck="false" autocomplete="off" maxlength="2000" {disabled} />
                <button id="example-prompt-run" class="small-button" type="submit" {disabled}>{"Show"}</button>
            </form>
            if let Some(error) = &props.error {
                <p class="error" id="example-error" role="alert">{error}</p>
            }
        </div>
    }
}
