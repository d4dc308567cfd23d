//! Expressivity Lab: train and dissect small sequence models to see what transformers can and
//! cannot do. Layers (dependencies point down only): `app` → `claims` → `train` → `models`,
//! `tasks`.

pub mod claims;
pub mod models;
pub mod tasks;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod app;
