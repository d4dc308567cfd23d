//! What the runs store lists: the readable runs and the ones that cannot be read (plain Rust,
//! so that the page's reducer, tested natively, takes it).

use crate::train::run_record::{RecordError, RunId, RunRecord};

/// A record that is stored but cannot be used, and why (shown in the table with a delete
/// button; the other runs list as usual).
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub id: RunId,
    pub error: RecordError,
}

/// Every stored run: the readable ones newest first, and the ones that cannot be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunList {
    pub runs: Vec<RunRecord>,
    pub unreadable: Vec<Unreadable>,
}
