//! Set disjointness by a two-layer transformer of logarithmic width (see
//! [`super::pair_bits`] for the construction): a witness is a y position where
//! `xᵢ = yᵢ = 1`, detected by `GELU(K(b + r − s − 2))` from its own bit `b`, the bit `r` found
//! at its partner and the side flag `s` (−1 on y, +1 on x, where `r = b` would otherwise fire).

use super::pair_bits::{self, Unit};
use super::{Built, ConstructError, Construction};
use crate::tasks::TaskKind;
use crate::tasks::disjointness::DisjointnessRule;
use crate::tasks::pair_bits::MAX_SIZE;

pub const CONSTRUCTION: Construction = Construction {
    name: "disjointness",
    task: TaskKind::Disjointness,
    claim: "A two-layer transformer of size O(log N) decides set disjointness; one-layer \
            transformers and RNNs need size Ω(N) (Bhattamishra et al., Separations in the \
            Representational Capabilities of Transformers and Recurrent Architectures).",
    model: "2-layer standard transformer, width 2⌈log₂ N⌉ + 12, one head per layer, learned \
            positions sharing a ±1 code between xᵢ and yᵢ",
    min_size: 1,
    max_size: MAX_SIZE,
    default_size: 64,
    valid_sizes: super::ValidSizes::BuiltOnly,
    build,
};

/// `b = r = 1` on the y side.
const DETECTOR: &[Unit] = &[Unit {
    bit: 1.0,
    found: 1.0,
    side: -1.0,
    bias: -2.0,
}];

fn build(n: usize) -> Result<Built, ConstructError> {
    pair_bits::build::<DisjointnessRule>(DETECTOR, n)
}
