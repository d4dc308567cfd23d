//! The training worker: every model job runs in a dedicated Web Worker, so that the page's
//! main thread only renders.
//!
//! A worker runs the page's own module and wasm (CPU only: nothing more to download), or, for
//! a job that trains on WebGPU, the page's WebGPU build ([`flavor`]). `main` looks at its
//! global scope: in a window it mounts the page, in a worker it calls [`host::serve`]. The page
//! talks to the workers through [`client::WorkerClient`] with the typed messages of
//! [`protocol`], each in an [`envelope`].

pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
pub mod envelope;
#[cfg(target_arch = "wasm32")]
pub mod flavor;
#[cfg(target_arch = "wasm32")]
pub mod host;
#[cfg(target_arch = "wasm32")]
pub mod measure;
#[cfg(target_arch = "wasm32")]
pub mod sink;
