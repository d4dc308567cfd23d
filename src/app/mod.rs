//! The web page, split by the thread a file runs on.
//!
//! The page's main thread: the reducer in [`state`] (one owner of what the page shows, holding a
//! [`wire::model_handle::ModelHandle`] for the model), the components, the URL, files, charts.
//! The training [`worker`]: every job — the [`worker::runner`] (runs, models, instruments) and
//! the [`worker::grid_runner`] (grids: claims checked in the tab, your own grid) — runs there
//! and reports back through the typed messages of [`wire`]; the main thread only
//! renders. Components get values and narrow callbacks. Shared by both: [`wire`] (the
//! messages and how they travel), [`runs`] (the runs table's IndexedDB store and list) and
//! `clock`.
//!
//! The reducer, the worker's wire types, the model store and the runs list are plain Rust that
//! compiles natively too, so that `cargo test` checks the page's transitions; everything that
//! touches the browser is wasm only.

pub mod figure;
pub mod heatmap_figure;
pub mod instrument_figures;
pub mod instrument_state;
pub mod palette;
pub mod runs;
pub mod state;
pub mod wire;
pub mod worker;

#[cfg(target_arch = "wasm32")]
pub mod chart_export;
#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
pub mod clock;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod files;
#[cfg(target_arch = "wasm32")]
pub mod flavor;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
pub mod url;

#[cfg(target_arch = "wasm32")]
pub use page::{App, start};
