//! The training worker: every model job runs in a dedicated Web Worker, so that the page's
//! main thread only renders.
//!
//! The worker runs the page's own module and wasm (no second binary to download: the browser
//! has both cached). `main` looks at its global scope: in a window it mounts the page, in a
//! worker it calls [`host::serve`]. The page talks to it through [`client::WorkerClient`] with
//! the typed messages of [`protocol`].

pub mod client;
pub mod host;
pub mod protocol;
pub mod sink;
