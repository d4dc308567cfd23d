//! The time and profile marks of the thread a job runs on (the page's window or a worker's
//! global scope), for runs' timings and their phases in a profile.

/// `performance` of this thread's global scope.
fn performance() -> Option<web_sys::Performance> {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
}

/// Milliseconds since this thread's time origin (0 where there is no clock).
pub(crate) fn now_ms() -> f64 {
    performance().map_or(0.0, |p| p.now())
}

/// A `performance.mark` so that the phases of a run show in a profile of the worker.
pub(crate) fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}
