//! Claims of the three papers made checkable. [`claim`] describes a claim (statement, the two
//! sides, the experiment fixed before running, the verdict rule) and [`registry`] lists them;
//! [`construct`] holds the positive side of each theorem as hand-set weights in our own model
//! classes; [`run`] runs a claim's grid (resumable, sharded); [`stats`] gives bootstrap
//! intervals and w*(N); [`verdict`] applies the rule.

pub mod claim;
pub mod construct;
pub mod curves;
pub mod live;
pub mod rates;
pub mod registry;
pub mod results;
pub mod run;
pub mod stats;
pub mod tune;
pub mod verdict;

pub use claim::{Claim, Design, Growth, Kind, Metric, Series, Side};
pub use verdict::{Outcome, Verdict};
