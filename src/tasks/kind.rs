//! Which task: the name a request, a checkpoint or a link carries. What each task is lives in
//! its own file; [`super::registry`] joins the two.

use serde::{Deserialize, Serialize};

/// Every task of TASKS.md, and `Custom`: your own data (whose examples live in the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskKind {
    Arithmetic,
    Lis,
    Ed,
    IndexLookup,
    Dyck,
    Equality,
    Disjointness,
    NearestNeighbor,
    Majority,
    Parity,
    Custom,
}
