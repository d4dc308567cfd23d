//! What the page and its workers say to each other, spoken on both threads: the typed requests
//! and reports ([`protocol`]; a grid's in [`grid_news`]), the model handle the page holds
//! ([`model_handle`]), and how a message travels ([`envelope`], wasm only; [`shared`] values).

pub mod grid_news;
pub mod model_handle;
pub mod protocol;
pub mod shared;

#[cfg(target_arch = "wasm32")]
pub mod envelope;
