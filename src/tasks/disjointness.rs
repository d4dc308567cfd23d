//! `disjointness`: `x | y <q>` → `yes` iff no i has `x_i = y_i = 1`. Negatives overlap in
//! exactly one position.

use super::pair_bits::{PairBits, PairRule};
use super::{Locality, Paper, TaskInfo, TaskKind, TaskRng};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Disjointness,
    name: "disjointness",
    title: "Set disjointness",
    size_meaning: "string length N",
    min_size: 1,
    max_size: super::pair_bits::MAX_SIZE,
    default_size: 16,
    chain_of_thought: false,
    paper: Paper::Separations,
    tests: "deciding whether two sets (as bit strings) are disjoint",
    claim: "Like equality: a 2-layer log-width transformer decides disjointness, one-layer \
            transformers and RNNs need linear size (a communication-complexity lower bound).",
    params: &[],
    locality: Locality::NoChain,
};

/// Set disjointness at one length N.
pub type Disjointness = PairBits<DisjointnessRule>;

#[derive(Debug, Clone)]
pub struct DisjointnessRule;

impl PairRule for DisjointnessRule {
    const INFO: &'static TaskInfo = &INFO;
    const ANSWERS: [&'static str; 2] = ["yes", "no"];

    /// A shared element (`x_i = y_i = 1`) witnesses `no`.
    fn witness(x: bool, y: bool) -> bool {
        x && y
    }

    /// Each position is (0,0), (0,1) or (1,0) uniformly; a negative then sets one random
    /// position to (1,1).
    fn draw(n: usize, rng: &mut TaskRng) -> (Vec<bool>, Vec<bool>) {
        let (mut x, mut y) = (vec![false; n], vec![false; n]);
        for i in 0..n {
            match rng.index(3) {
                0 => {}
                1 => y[i] = true,
                _ => x[i] = true,
            }
        }
        if !rng.chance(1, 2) {
            let k = rng.index(n);
            x[k] = true;
            y[k] = true;
        }
        (x, y)
    }
}
