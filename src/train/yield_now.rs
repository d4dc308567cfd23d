//! Letting the browser breathe: on the CPU backend device reads resolve at once, so long
//! loops of async reads would never return to the event loop. `yield_now` does.
//!
//! It posts a message to itself through one `MessageChannel` rather than calling
//! `setTimeout(0)`: nested timeouts are clamped to 4 ms, which a training loop that yields after
//! every step (so that Stop takes effect within one step) would pay at every step, while a
//! message is delivered as soon as the tasks queued before it (e.g. a Stop) have run.

/// Return control to the event loop once; a no-op natively.
pub async fn yield_now() {
    #[cfg(target_arch = "wasm32")]
    web::yield_once().await;
}

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::RefCell;
    use std::collections::VecDeque;

    use js_sys::{Function, Promise};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{MessageChannel, MessageEvent};

    /// One channel per thread (page or worker): each yield queues its promise's `resolve` and
    /// posts one message; each message delivered resolves the oldest.
    struct Yielder {
        channel: MessageChannel,
        waiting: std::rc::Rc<RefCell<VecDeque<Function>>>,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
    }

    thread_local! {
        static YIELDER: Option<Yielder> = Yielder::new();
    }

    impl Yielder {
        fn new() -> Option<Self> {
            let channel = MessageChannel::new().ok()?;
            let waiting = std::rc::Rc::new(RefCell::new(VecDeque::<Function>::new()));
            let queue = waiting.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_| {
                let next = queue.borrow_mut().pop_front();
                if let Some(resolve) = next {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            });
            channel
                .port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            Some(Self {
                channel,
                waiting,
                _on_message: on_message,
            })
        }
    }

    pub(super) async fn yield_once() {
        let promise = YIELDER.with(|yielder| {
            let yielder = yielder.as_ref()?;
            let promise = Promise::new(&mut |resolve, _reject| {
                yielder.waiting.borrow_mut().push_back(resolve);
            });
            yielder
                .channel
                .port2()
                .post_message(&JsValue::NULL)
                .ok()
                .map(|()| promise)
        });
        match promise {
            Some(promise) => {
                let _ = JsFuture::from(promise).await;
            }
            // No MessageChannel (should not happen in a browser): a timeout still yields.
            None => gloo::timers::future::TimeoutFuture::new(0).await,
        }
    }
}
