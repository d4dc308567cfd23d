//! The runs table's bookkeeping, shared by the page, its worker and the CLI: a run's record
//! ([`record`]), the "export all" zip ([`export`]) and what differs between runs' configs
//! ([`config_diff`]). Above `train/` (a record holds a config and its metrics), below `app/`.

pub mod config_diff;
pub mod export;
pub mod record;

pub use record::{RunId, RunRecord, RunStatus};
