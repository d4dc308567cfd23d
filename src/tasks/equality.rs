//! `equality`: `x | y <q>` → `eq` iff `x = y`. Half the negatives differ in exactly one bit.

use super::pair_bits::{PairBits, PairRule};
use super::{Locality, Paper, TaskInfo, TaskKind, TaskRng};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Equality,
    name: "equality",
    title: "String equality",
    size_meaning: "string length N",
    min_size: 1,
    max_size: super::pair_bits::MAX_SIZE,
    default_size: 16,
    chain_of_thought: false,
    paper: Paper::Separations,
    tests: "deciding whether two bit strings are equal",
    claim: "Two attention layers of logarithmic width compare x and y position by position; \
            one-layer transformers and RNNs need width linear in N.",
    params: &[],
    locality: Locality::NoChain,
};

/// String equality at one length N.
pub type Equality = PairBits<EqualityRule>;

#[derive(Debug, Clone)]
pub struct EqualityRule;

impl PairRule for EqualityRule {
    const INFO: &'static TaskInfo = &INFO;
    const ANSWERS: [&'static str; 2] = ["eq", "neq"];

    /// Any differing position witnesses `neq`.
    fn witness(x: bool, y: bool) -> bool {
        x != y
    }

    fn draw(n: usize, rng: &mut TaskRng) -> (Vec<bool>, Vec<bool>) {
        let x: Vec<bool> = (0..n).map(|_| rng.chance(1, 2)).collect();
        let mut y = x.clone();
        if !rng.chance(1, 2) {
            if n == 1 || rng.chance(1, 2) {
                // Near miss: exactly one position differs.
                let k = rng.index(n);
                y[k] = !y[k];
            } else {
                // An independent string, redrawn until it differs.
                while y == x {
                    y = (0..n).map(|_| rng.chance(1, 2)).collect();
                }
            }
        }
        (x, y)
    }
}
