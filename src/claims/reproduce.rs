//! One cell of a claim's grid re-run alone and held against its record: every record carries
//! the command ([`command`]), and `lab claims reproduce` runs it and says whether the result
//! reproduces within [`TOLERANCE`].
//!
//! On the same backend and the same kind of CPU, training is deterministic: the per-example
//! answers must be identical. Another CPU (its matrix kernels round by instruction set) or a
//! GPU rounds differently, and a run near a decision boundary can end elsewhere: there the
//! accuracy must agree within the tolerance.

use serde::Serialize;

use super::plan::RunKey;
use super::record::GridRecord;

/// Largest accuracy difference accepted when the answers are not bit-identical.
pub const TOLERANCE: f64 = 0.03;

/// The committed results file of a grid.
pub fn results_path(claim_id: &str, quick: bool) -> String {
    let suffix = if quick { "-quick" } else { "" };
    format!("assets/results/claims/{claim_id}{suffix}.jsonl")
}

/// The `lab` command that re-runs the cell `key` of a grid alone and compares it with its
/// committed record.
pub fn command(claim_id: &str, quick: bool, key: &RunKey) -> String {
    format!(
        "lab claims reproduce {claim_id}{} --series {} --size {} --width {} --seed {} --from {}",
        if quick { " --quick" } else { "" },
        key.series,
        key.size,
        key.width,
        key.seed,
        results_path(claim_id, quick)
    )
}

/// A re-run held against its record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reproduction {
    pub key: RunKey,
    pub recorded: f64,
    pub now: f64,
    /// Every test example answered alike.
    pub identical: bool,
    pub reproduces: bool,
}

impl std::fmt::Display for Reproduction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: recorded {:.1} %, now {:.1} % — {}",
            self.key,
            100.0 * self.recorded,
            100.0 * self.now,
            match (self.identical, self.reproduces) {
                (true, _) => "reproduces exactly (every test answer alike)".to_string(),
                (false, true) => format!(
                    "reproduces within {:.0} points (answers differ: another CPU or backend rounds differently)",
                    100.0 * TOLERANCE
                ),
                (false, false) => format!(
                    "DOES NOT reproduce (tolerance {:.0} points)",
                    100.0 * TOLERANCE
                ),
            }
        )
    }
}

/// Hold a fresh run against its record.
pub fn compare(recorded: &GridRecord, now: &GridRecord) -> Reproduction {
    let identical = recorded.correct == now.correct;
    Reproduction {
        key: recorded.key(),
        recorded: recorded.accuracy,
        now: now.accuracy,
        identical,
        reproduces: identical || (recorded.accuracy - now.accuracy).abs() <= TOLERANCE,
    }
}
