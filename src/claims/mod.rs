//! Claims of the three papers made checkable. [`claim`] describes a claim (statement, the two
//! sides, the experiment fixed before running, the verdict rule) and [`registry`] lists them;
//! [`construct`] holds the positive side of each theorem as hand-set weights in our own model
//! classes; [`run`] runs a claim's grid (resumable, sharded); [`stats`] gives bootstrap
//! intervals and w*(N); [`shortcuts`] the task-aware rules a side must beat; [`verdict`]
//! applies the rule.

pub mod claim;
pub mod construct;
pub mod curves;
pub mod custom;
pub mod design_id;
pub mod early_stop;
pub mod error;
pub mod execute;
pub mod grid_config;
pub mod live;
pub mod missing;
pub mod outcome;
pub mod partial;
pub mod plan;
pub mod rates;
pub mod record;
pub mod registry;
pub mod reproduce;
pub mod results;
pub mod run;
pub mod shortcuts;
pub mod sides;
pub mod stats;
pub mod tune;
pub mod verdict;

pub use claim::{Bound, Claim, Design, Growth, Kind, Metric, Series, Side, Stopping};
pub use verdict::{Outcome, Verdict};
