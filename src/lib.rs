//! Expressivity Lab: train and dissect small sequence models to see what transformers can and
//! cannot do. Layers (dependencies point down only): `app` → `instruments` → `claims` → `train`
//! → `models`, `tasks`; `runs` (the runs table's records) beside `claims`, above `train`;
//! `files` (users' files in and out) imports nothing of the crate.

pub mod app;
pub mod claims;
pub mod files;
pub mod instruments;
pub mod models;
pub mod runs;
pub mod tasks;
pub mod train;

/// The web entry point, expanded in each web binary (`src/main.rs`: the page and its CPU
/// worker; `src/gpu_main.rs`: the same with WebGPU, for the worker of WebGPU runs): the page in
/// a window, the training worker in a worker (`app::start` tells them apart).
///
/// It calls the static constructors itself (burn's kernel registries use `inventory`; wasm-ld
/// synthesises `__wasm_call_ctors`). A binary that does not call them is linked "command
/// style": wasm-ld then wraps *every* export in a call to them, so each call from JavaScript
/// into the module (every string allocated, every DOM node added or dropped) ran all
/// constructors again: seconds-long tasks on a large render. It must expand in the binary.
#[macro_export]
macro_rules! web_main {
    () => {
        #[cfg(target_arch = "wasm32")]
        unsafe extern "C" {
            fn __wasm_call_ctors();
        }

        #[cfg(target_arch = "wasm32")]
        fn main() {
            // SAFETY: called once, first, before anything reads what the constructors register.
            unsafe { __wasm_call_ctors() };
            $crate::app::start();
        }

        #[cfg(not(target_arch = "wasm32"))]
        fn main() {
            eprintln!(
                "The web app is built for wasm32 by trunk (`scripts/serve`); use the `lab` binary natively."
            );
        }
    };
}
