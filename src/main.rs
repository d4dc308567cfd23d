//! Web entry point, built by trunk: the page in a window, the training worker in a worker (the
//! same module and wasm; `app::start` tells them apart). The native CLI lives in `src/bin/lab/`.

#[cfg(target_arch = "wasm32")]
unsafe extern "C" {
    /// The static constructors (burn's kernel registries use `inventory`), synthesised by
    /// wasm-ld. A binary that does not call it itself is linked "command style": wasm-ld then
    /// wraps *every* export in a call to it, so each call from JavaScript into the module — every
    /// allocation of a string, every DOM node the page adds or drops — ran all constructors
    /// again (seconds-long tasks on a large render). Calling it once here turns that off.
    fn __wasm_call_ctors();
}

#[cfg(target_arch = "wasm32")]
fn main() {
    // SAFETY: called once, first, before anything reads what the constructors register.
    unsafe { __wasm_call_ctors() };
    expressivity_lab::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The web app is built for wasm32 by trunk (`scripts/serve`); use the `lab` binary natively."
    );
}
