//! What every instrument does first: run one example through the model with its trace, and
//! read a traced tensor back as numbers (one async read: the page's WebGPU allows no other).

use burn::prelude::*;

use crate::models::{SequenceModel, Trace};
use crate::tasks::Example;
use crate::train::TrainError;

/// The trace of `example`'s reference tokens, as one sequence of a batch of one.
pub fn trace<M: SequenceModel>(
    model: &M,
    example: &Example,
    device: &Device,
) -> Result<Trace, TrainError> {
    let t = example.len();
    let ids: Vec<i64> = example.tokens.iter().map(|&x| i64::from(x)).collect();
    let input = Tensor::<1, Int>::from_ints(ids.as_slice(), device).reshape([1, t]);
    Ok(model.forward_with_trace(input)?.1)
}

/// Every value of a traced tensor, row-major.
pub async fn floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    Ok(tensor
        .into_data_async()
        .await
        .map_err(|e| TrainError::Device(format!("{e:?}")))?
        .iter::<f32>()
        .collect())
}
