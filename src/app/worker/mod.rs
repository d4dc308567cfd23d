//! The training worker's thread: every model job runs in a dedicated Web Worker, so that the
//! page's main thread only renders. Everything in this folder runs there.
//!
//! A worker runs the page's own module and wasm (CPU only: nothing more to download), or, for
//! a job that trains on WebGPU, the page's WebGPU build (`app::flavor`). `main` looks at its
//! global scope: in a window it mounts the page, in a worker it calls [`host::serve`], which
//! hands each request (`app::wire`) to the [`runner`] (runs, models, instruments through
//! [`measure`]; the run's record through [`recorder`]) or the [`grid_runner`], and sends their
//! reports back through its [`sink`]. The weights stay in the [`model_store`].

pub mod model_store;

#[cfg(target_arch = "wasm32")]
pub mod grid_runner;
#[cfg(target_arch = "wasm32")]
pub mod host;
#[cfg(target_arch = "wasm32")]
pub mod measure;
#[cfg(target_arch = "wasm32")]
pub mod recorder;
#[cfg(target_arch = "wasm32")]
pub mod runner;
#[cfg(target_arch = "wasm32")]
pub mod sink;
