//! Turning examples into tensors: inputs, next-token targets and the loss mask.

use burn::prelude::*;

use crate::tasks::Example;

/// A batch of equal-length examples, shifted for next-token prediction.
pub struct Batch {
    /// `[B, T-1]`: tokens `0..T-1`.
    pub inputs: Tensor<2, Int>,
    /// `[B, T-1]`: tokens `1..T`.
    pub targets: Tensor<2, Int>,
    /// `[B, T-1]`: 1 where the target is a CoT or answer token, else 0.
    pub mask: Tensor<2>,
}

/// Stack examples (all of the same length) into a [`Batch`].
pub fn make_batch(examples: &[Example], device: &Device) -> Batch {
    let b = examples.len();
    let t = examples[0].len();
    let mut inputs = Vec::with_capacity(b * (t - 1));
    let mut targets = Vec::with_capacity(b * (t - 1));
    let mut mask = Vec::with_capacity(b * (t - 1));
    for ex in examples {
        assert_eq!(ex.len(), t, "examples in a batch must have equal length");
        inputs.extend(ex.tokens[..t - 1].iter().map(|&x| x as i64));
        targets.extend(ex.tokens[1..].iter().map(|&x| x as i64));
        mask.extend((1..t).map(|p| if p >= ex.prompt_len { 1.0f32 } else { 0.0 }));
    }
    let ints = |v: Vec<i64>| Tensor::<1, Int>::from_ints(v.as_slice(), device).reshape([b, t - 1]);
    Batch {
        inputs: ints(inputs),
        targets: ints(targets),
        mask: Tensor::<1>::from_floats(mask.as_slice(), device).reshape([b, t - 1]),
    }
}
