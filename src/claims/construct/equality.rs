//! String equality by a two-layer transformer of logarithmic width (see [`super::pair_bits`]
//! for the construction): a witness is a position where `xᵢ ≠ yᵢ`, detected by
//! `GELU(K(b − r − 1)) + GELU(K(r − b − 1))` from the position's own bit `b` and the bit `r`
//! found at its partner.

use super::pair_bits::{self, Unit};
use super::{Built, ConstructError, Construction};
use crate::tasks::TaskKind;
use crate::tasks::equality::EqualityRule;
use crate::tasks::pair_bits::MAX_SIZE;

pub const CONSTRUCTION: Construction = Construction {
    name: "equality",
    task: TaskKind::Equality,
    claim: "A two-layer transformer of size O(log N) decides string equality; one-layer \
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

/// `b ≠ r`: one unit per order.
const DETECTOR: &[Unit] = &[
    Unit {
        bit: 1.0,
        found: -1.0,
        side: 0.0,
        bias: -1.0,
    },
    Unit {
        bit: -1.0,
        found: 1.0,
        side: 0.0,
        bias: -1.0,
    },
];

fn build(n: usize) -> Result<Built, ConstructError> {
    pair_bits::build::<EqualityRule>(DETECTOR, n)
}
