//! Letting the browser breathe: on the CPU backend device reads resolve at once, so long
//! loops of async reads would never return to the event loop. `yield_now` does.

/// Return control to the event loop once (a `setTimeout(0)`); a no-op natively.
pub async fn yield_now() {
    #[cfg(target_arch = "wasm32")]
    gloo::timers::future::TimeoutFuture::new(0).await;
}
