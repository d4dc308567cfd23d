//! Turning examples into tensors: inputs, next-token targets and the loss mask. Examples of
//! different lengths are padded at the end; padded positions are masked out of the loss and
//! (being after the sequence, under a causal model) never influence a graded position.

use burn::prelude::*;

use crate::tasks::Example;

/// The token id written into padding (any id works: padded positions are masked out).
pub const PAD: u32 = 0;

/// A batch of examples, shifted for next-token prediction.
pub struct Batch {
    /// `[B, T-1]`: tokens `0..T-1` (T = the longest example).
    pub inputs: Tensor<2, Int>,
    /// `[B, T-1]`: tokens `1..T`.
    pub targets: Tensor<2, Int>,
    /// `[B, T-1]`: 1 where the target is a CoT or answer token of the example, else 0.
    pub mask: Tensor<2>,
}

/// Stack examples into a [`Batch`], padding shorter ones.
pub fn make_batch(examples: &[Example], device: &Device) -> Batch {
    let b = examples.len();
    let t = examples.iter().map(Example::len).max().unwrap_or(2).max(2);
    let mut inputs = Vec::with_capacity(b * (t - 1));
    let mut targets = Vec::with_capacity(b * (t - 1));
    let mut mask = Vec::with_capacity(b * (t - 1));
    for ex in examples {
        let token = |p: usize| i64::from(ex.tokens.get(p).copied().unwrap_or(PAD));
        inputs.extend((0..t - 1).map(token));
        targets.extend((1..t).map(token));
        mask.extend((1..t).map(|p| {
            if p >= ex.prompt_len && p < ex.len() {
                1.0f32
            } else {
                0.0
            }
        }));
    }
    let ints = |v: Vec<i64>| Tensor::<1, Int>::from_ints(v.as_slice(), device).reshape([b, t - 1]);
    Batch {
        inputs: ints(inputs),
        targets: ints(targets),
        mask: Tensor::<1>::from_floats(mask.as_slice(), device).reshape([b, t - 1]),
    }
}
