//! The web page: yew components over `train`. No tensor math here.
//!
//! One owner of state: the reducer in [`state`] holds everything the page shows, with a
//! [`model_store::ModelHandle`] for the model. The work runs in the training [`worker`]: there
//! the [`runner::Runner`], the [`live_runner::LiveRunner`] (claims checked in the tab) and the
//! [`sweep_runner::SweepRunner`] do it and report back; the page's main thread only renders.
//! Components get values and narrow callbacks.
//!
//! The reducer ([`state`]), the worker's wire types ([`worker::protocol`]), the model handle and
//! the runs list are plain Rust that compiles natively too, so that `cargo test` checks the
//! page's transitions; everything that touches the browser is wasm only.

pub mod figure;
pub mod heatmap_figure;
pub mod instrument_figures;
pub mod instrument_state;
pub mod model_store;
pub mod palette;
pub mod runs;
pub mod state;
pub mod worker;

#[cfg(target_arch = "wasm32")]
pub mod chart_export;
#[cfg(target_arch = "wasm32")]
pub mod clock;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod files;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
pub mod live_runner;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
pub mod runner;
#[cfg(target_arch = "wasm32")]
pub mod sweep_runner;
#[cfg(target_arch = "wasm32")]
pub mod url;

#[cfg(target_arch = "wasm32")]
pub use page::{App, start};
