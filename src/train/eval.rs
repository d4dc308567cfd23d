//! Teacher-forced evaluation: exact match of every CoT and answer token, one readback.

use burn::prelude::*;

use super::TrainError;
use super::batch::make_batch;
use super::yield_now::yield_now;
use crate::models::SequenceModel;
use crate::tasks::Example;

/// Accuracy over a set of examples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvalReport {
    /// Fraction of examples whose every CoT and answer token is predicted correctly.
    pub exact: f32,
    /// Fraction whose final answer token is predicted correctly.
    pub answer: f32,
    pub examples: usize,
}

/// Evaluate `model` with teacher forcing: at each position after the prompt, the argmax of the
/// logits must equal the reference next token.
pub async fn teacher_forced<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<EvalReport, TrainError> {
    // Chunks keep each piece of work short on the page's thread.
    const CHUNK: usize = 32;
    let (mut exact, mut answer) = (0usize, 0usize);
    for chunk in examples.chunks(CHUNK) {
        let batch = make_batch(chunk, device);
        let [b, t] = batch.inputs.dims();
        let predicted = model.forward(batch.inputs).argmax(2).reshape([b, t]);
        let data = predicted
            .into_data_async()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        let predicted: Vec<i64> = data.iter::<i64>().collect();
        for (row, ex) in chunk.iter().enumerate() {
            let got = &predicted[row * t..(row + 1) * t];
            // Position p predicts token p + 1; graded positions are p + 1 >= prompt_len, up to
            // the example's own end (shorter examples are padded).
            let last = ex.len() - 1;
            if ((ex.prompt_len - 1)..last).all(|p| got[p] == i64::from(ex.tokens[p + 1])) {
                exact += 1;
            }
            if got[last - 1] == i64::from(ex.tokens[last]) {
                answer += 1;
            }
        }
        yield_now().await;
    }
    let n = examples.len().max(1) as f32;
    Ok(EvalReport {
        exact: exact as f32 / n,
        answer: answer as f32 / n,
        examples: examples.len(),
    })
}
