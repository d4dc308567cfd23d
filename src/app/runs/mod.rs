//! The runs table's data: every run of this browser, kept in IndexedDB ([`store`]) so that a
//! reload or a crash loses at most the steps since the last evaluation. The record itself is
//! `train::run_record` (the CLI and the "export all" zip read it too).

pub mod list;
#[cfg(target_arch = "wasm32")]
pub mod page;
#[cfg(target_arch = "wasm32")]
pub mod reopen;
#[cfg(target_arch = "wasm32")]
pub mod store;

pub use crate::runs::record::{RecordError, RunId, RunRecord, RunStatus};
pub use list::{RunList, Unreadable};
#[cfg(target_arch = "wasm32")]
pub use store::{RunStore, StorageEstimate, StoreError};
