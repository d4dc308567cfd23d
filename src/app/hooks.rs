//! Small stateful pieces the page's components share.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// ←/→ emit -1/+1 on `on_step` (the chain-of-thought player steps), unless the user is typing
/// in a field.
#[hook]
pub fn use_keyboard_cot_steps(on_step: Callback<i32>) {
    use_effect_with(on_step, |on_step| {
        let on_step = on_step.clone();
        let listener = EventListener::new(&gloo::utils::document(), "keydown", move |event| {
            let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            let typing = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                });
            match event.key().as_str() {
                "ArrowRight" if !typing => on_step.emit(1),
                "ArrowLeft" if !typing => on_step.emit(-1),
                _ => {}
            }
        });
        move || drop(listener)
    });
}

/// What the pointer is over (a heatmap cell, a token), for readouts and highlights.
pub struct Hover<T: 'static>(UseStateHandle<Option<T>>);

impl<T: Clone + 'static> Hover<T> {
    pub fn get(&self) -> Option<T> {
        (*self.0).clone()
    }

    /// For `onmouseenter`: the pointer is now over `value`.
    pub fn enter(&self, value: T) -> Callback<MouseEvent> {
        let state = self.0.clone();
        Callback::from(move |_: MouseEvent| state.set(Some(value.clone())))
    }

    /// For `onmouseleave`: the pointer is over nothing.
    pub fn leave(&self) -> Callback<MouseEvent> {
        let state = self.0.clone();
        Callback::from(move |_: MouseEvent| state.set(None))
    }
}

#[hook]
pub fn use_hover<T: 'static>() -> Hover<T> {
    Hover(use_state(|| None))
}
