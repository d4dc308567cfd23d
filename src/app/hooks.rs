//! Small stateful pieces the page's components share.

use std::ops::Deref;
use std::rc::Rc;

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

impl<T: Clone + PartialEq + 'static> Hover<T> {
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

    /// A setter for a child that builds its own listeners: it compares equal across renders,
    /// so handing it down does not re-render the child.
    pub fn setter(&self) -> UseStateSetter<Option<T>> {
        self.0.setter()
    }

    /// For `onmousemove` over one element that stands for many items (a canvas of cells, a
    /// chart of columns): `at` maps the pointer's position inside the element, as fractions of
    /// its width and height in `[0, 1)`, to the item there. One listener instead of one per
    /// item; a move within the same item re-renders nothing.
    pub fn track(&self, at: impl Fn(f64, f64) -> Option<T> + 'static) -> Callback<MouseEvent> {
        let state = self.0.clone();
        Callback::from(move |e: MouseEvent| {
            state.set(pointer_fraction(&e).and_then(|(x, y)| at(x, y)))
        })
    }
}

/// Where the pointer is inside the element it is over, as fractions of that element's width and
/// height (`offsetX` over `clientWidth`: meant for an element without children, such as a
/// canvas), or `None` outside it or for an element with no size.
fn pointer_fraction(e: &MouseEvent) -> Option<(f64, f64)> {
    let element = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let (w, h) = (element.client_width(), element.client_height());
    if w <= 0 || h <= 0 {
        return None;
    }
    let x = f64::from(e.offset_x()) / f64::from(w);
    let y = f64::from(e.offset_y()) / f64::from(h);
    ((0.0..1.0).contains(&x) && (0.0..1.0).contains(&y)).then_some((x, y))
}

/// The hovered item; setting it to the value it already has re-renders nothing.
#[hook]
pub fn use_hover<T: PartialEq + 'static>() -> Hover<T> {
    Hover(use_state_eq(|| None))
}

/// An `Rc` compared by address, not by content: a memo key or a prop for a large value that is
/// never changed once shared. An inspection holds L·H·T² weights; comparing them by value on
/// every render of every panel that shows them costs more than drawing them.
#[derive(Debug)]
pub struct ByAddress<T>(pub Rc<T>);

impl<T> Clone for ByAddress<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> PartialEq for ByAddress<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for ByAddress<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Whether two optional shared values are the same one (or both absent), by address: the
/// One listener for a container of steps: a click on an element matching `selector` (or inside
/// it) that carries a `data-step` jumps to that step of the chain of thought (the player's token
/// row and the DP table share it).
pub fn on_step_click(on_goto: &Callback<usize>, selector: &'static str) -> Callback<MouseEvent> {
    let on_goto = on_goto.clone();
    Callback::from(move |e: MouseEvent| {
        let step = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(selector).ok().flatten())
            .and_then(|found| found.get_attribute("data-step"))
            .and_then(|s| s.parse().ok());
        if let Some(step) = step {
            on_goto.emit(step);
        }
    })
}

/// props comparison of panels that get the page's inspection (see [`ByAddress`]).
pub fn same_address<T>(a: &Option<Rc<T>>, b: &Option<Rc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}
