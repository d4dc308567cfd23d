//! Turning examples into tensors: inputs, next-token targets and the loss mask. Examples of
//! different lengths are padded at the end; padded positions are masked out of the loss and
//! (being after the sequence, under a causal model) never influence a graded position.

use burn::prelude::*;

use crate::models::Rows;
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
    /// The input positions whose target is graded in some example (where `mask` has a 1 in
    /// some row): the only logits a loss or a grade reads.
    pub graded: Rows,
}

impl Batch {
    /// The targets and the mask at the [`graded`](Self::graded) positions only, `[B, R]`:
    /// what [`SequenceModel::forward_at`](crate::models::SequenceModel::forward_at)'s logits
    /// line up with.
    pub fn graded_targets(&self) -> (Tensor<2, Int>, Tensor<2>) {
        let index = self.graded.index(&self.mask.device());
        (
            self.targets.clone().select(1, index.clone()),
            self.mask.clone().select(1, index),
        )
    }
}

/// The input positions `p` (of sequences of `t - 1` inputs) whose target `p + 1` is a CoT or
/// answer token of some example; every position when no example grades one (a degenerate
/// batch still has rows to read).
fn graded_rows(examples: &[Example], t: usize) -> Rows {
    let graded = examples
        .iter()
        .flat_map(|ex| ex.prompt_len.max(1) - 1..ex.len().saturating_sub(1).min(t - 1));
    Rows::new(graded, t - 1)
        .or_else(|| Rows::new(0..t - 1, t - 1))
        .expect("t ≥ 2, so there is at least one input position")
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
        graded: graded_rows(examples, t),
    }
}

#[cfg(test)]
mod tests {
    use burn::module::{Module, ModuleVisitor, Param};
    use burn::optim::GradientsParams;

    use super::*;
    use crate::models::{Architecture, Model, ModelConfig, SequenceModel};
    use crate::tasks::CellTrace;
    use crate::train::loss::masked_cross_entropy;

    /// The largest difference between two gradients of every parameter.
    struct Compare {
        at: GradientsParams,
        full: GradientsParams,
        worst: f32,
        compared: usize,
    }

    impl ModuleVisitor for Compare {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let (Some(a), Some(f)) = (self.at.get::<D>(param.id), self.full.get::<D>(param.id)) {
                let diff = (a - f).abs().max().into_scalar::<f32>();
                self.worst = self.worst.max(diff);
                self.compared += 1;
            }
        }
    }

    /// Examples of different prompt lengths, one with a chain of thought, one padded.
    fn examples() -> Vec<Example> {
        let cot = |n: usize| vec![CellTrace::none(); n];
        vec![
            Example::decision(vec![1, 2, 3, 4, 5, 6, 7], 8, vec![]),
            Example::from_parts(vec![2, 3, 4], &[5, 6], &[9], cot(3)),
            Example::decision(vec![3, 4, 5], 1, vec![]),
        ]
    }

    #[test]
    fn the_graded_rows_are_every_input_position_some_example_grades() {
        let device = Device::flex();
        let batch = make_batch(&examples(), &device);
        // Inputs are 7 long (the longest example has 8 tokens). The first example grades
        // input 6; the second inputs 2, 3, 4; the third input 2.
        assert_eq!(batch.graded.as_slice(), &[2, 3, 4, 6]);
        assert_eq!(batch.graded.sequence_len(), 7);
        let (targets, mask) = batch.graded_targets();
        let targets: Vec<i64> = targets.into_data().iter().collect();
        let mask: Vec<f32> = mask.into_data().iter().collect();
        assert_eq!(targets, vec![4, 5, 6, 8, 5, 6, 9, 0, 1, 0, 0, 0]);
        assert_eq!(mask, vec![0., 0., 0., 1., 1., 1., 1., 0., 1., 0., 0., 0.]);
    }

    /// The trainer's loss on the graded rows equals the loss on the whole forward, and so do
    /// its gradients, for attention (whose last layer skips the other queries) and an RNN.
    #[test]
    fn the_loss_on_the_graded_rows_equals_the_loss_on_every_row() {
        let device = Device::flex().autodiff();
        for architecture in [
            Architecture::Standard,
            Architecture::Linear,
            Architecture::Lstm,
        ] {
            let config = ModelConfig::transformer(12, 16, 16, 2, 2).with_architecture(architecture);
            device.seed(3);
            let model = Model::new(&config, &device).unwrap();
            let batch = make_batch(&examples(), &device);
            let (targets, mask) = batch.graded_targets();
            let at = model
                .forward_at(batch.inputs.clone(), &batch.graded)
                .unwrap();
            let at = masked_cross_entropy(at, targets, mask);
            let full = model.forward(batch.inputs).unwrap();
            let full = masked_cross_entropy(full, batch.targets, batch.mask);
            let value = |t: &Tensor<1>| t.clone().into_scalar::<f32>();
            let (a, f) = (value(&at), value(&full));
            assert!((a - f).abs() < 1e-5, "{architecture:?}: {a} vs {f}");
            let grads = |loss: Tensor<1>| GradientsParams::from_grads(loss.backward(), &model);
            let mut compare = Compare {
                at: grads(at),
                full: grads(full),
                worst: 0.0,
                compared: 0,
            };
            model.visit(&mut compare);
            let Compare {
                worst, compared, ..
            } = compare;
            assert!(
                worst < 1e-5,
                "{architecture:?}: a gradient differs by {worst}"
            );
            assert!(
                compared >= 8,
                "{architecture:?}: {compared} gradients compared"
            );
        }
    }
}
