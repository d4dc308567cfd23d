//! `equality`: `x | y <q>` → `eq` iff `x = y`. Negatives cannot be told apart by counting:
//! half differ by one swap that keeps the number of ones, a quarter in exactly one position, a
//! quarter are random strings with as many ones as `x` — so "eq iff x and y have as many ones"
//! scores at most 62.5 % (`../shared/TASKS.md`).

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
        if rng.chance(1, 2) {
            return (x.clone(), x);
        }
        let ones = x.iter().filter(|&&b| b).count();
        // No other string with as many ones (x all zeros or all ones, N = 1): a flip.
        let same_count_exists = ones > 0 && ones < n;
        let y = match rng.index(4) {
            0 | 1 if same_count_exists => swapped(&x, rng),
            2 if same_count_exists => same_count(&x, ones, rng),
            _ => flipped(&x, rng),
        };
        (x, y)
    }
}

/// `x` with one 1 and one 0 exchanged: the number of ones is kept.
fn swapped(x: &[bool], rng: &mut TaskRng) -> Vec<bool> {
    let ones: Vec<usize> = (0..x.len()).filter(|&i| x[i]).collect();
    let zeros: Vec<usize> = (0..x.len()).filter(|&i| !x[i]).collect();
    let mut y = x.to_vec();
    y[ones[rng.index(ones.len())]] = false;
    y[zeros[rng.index(zeros.len())]] = true;
    y
}

/// `x` with exactly one position flipped.
fn flipped(x: &[bool], rng: &mut TaskRng) -> Vec<bool> {
    let mut y = x.to_vec();
    let k = rng.index(x.len());
    y[k] = !y[k];
    y
}

/// A uniformly random string with `ones` ones, redrawn until it differs from `x` (another
/// exists: `0 < ones < N`).
fn same_count(x: &[bool], ones: usize, rng: &mut TaskRng) -> Vec<bool> {
    loop {
        // A random `ones`-subset of the positions (a partial Fisher-Yates shuffle).
        let mut order: Vec<usize> = (0..x.len()).collect();
        for i in 0..ones {
            let j = i + rng.index(x.len() - i);
            order.swap(i, j);
        }
        let mut y = vec![false; x.len()];
        for &i in &order[..ones] {
            y[i] = true;
        }
        if y != x {
            return y;
        }
    }
}
