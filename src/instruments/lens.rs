//! The logit lens: the residual stream after each layer (and the embedded input) read through
//! the model's own final LayerNorm and read-out, as if the model stopped there. Over held-out
//! examples (teacher-forced: each position sees the reference prefix), per layer: the mean
//! probability of the reference next token, the share of positions whose top token is the
//! reference, and the same share on the answer tokens. Where the curve rises says at which
//! layer the prediction is formed.

use burn::prelude::*;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::models::Model;
use crate::tasks::Example;
use crate::train::TrainError;

/// One layer's residual stream read out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LensLayer {
    /// 0: the embedded input; `l`: after layer `l` (the last one: the model's own output).
    pub after_layer: usize,
    /// Mean probability of the reference next token over the predicted positions.
    pub reference_probability: f64,
    /// Share of predicted positions whose most probable token is the reference.
    pub top1: f64,
    /// The same share on the answer tokens only.
    pub answer_top1: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogitLens {
    pub examples: usize,
    /// Positions predicted per pass (chain of thought and answer), summed over examples.
    pub predicted_positions: usize,
    pub answer_positions: usize,
    pub layers: Vec<LensLayer>,
}

/// Read every layer's residual stream of `model` through its read-out on `examples`.
pub async fn logit_lens(
    model: &Model,
    examples: &[Example],
    device: &Device,
) -> Result<LogitLens, TrainError> {
    let depth = model.depth();
    let (mut probability, mut top1, mut answer_top1) = (
        vec![0.0; depth + 1],
        vec![0usize; depth + 1],
        vec![0usize; depth + 1],
    );
    let (mut predicted, mut answers) = (0usize, 0usize);
    for example in examples {
        let t = example.len();
        if t < 2 || example.prompt_len == 0 {
            continue;
        }
        let ids: Vec<i64> = example.tokens.iter().map(|&x| i64::from(x)).collect();
        let tokens = Tensor::<1, Int>::from_ints(ids.as_slice(), device).reshape([1, t]);
        let stream = model.residual_stream(tokens)?;
        // Every layer's read-out at once, `[L + 1, T, V]`: one read from the device per example.
        let probs = softmax(model.read_out(Tensor::cat(stream, 0)), 2);
        let v = probs.dims()[2];
        let data = probs
            .reshape([(depth + 1) * t * v])
            .into_data_async()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        let probs: Vec<f32> = data.iter::<f32>().collect();
        let answer_start = example.prompt_len + example.cot_len;
        for (layer, layer_probs) in probs.chunks(t * v).enumerate() {
            for p in example.prompt_len - 1..t - 1 {
                let row = &layer_probs[p * v..(p + 1) * v];
                let target = example.tokens[p + 1] as usize;
                let best = (0..v)
                    .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                    .unwrap_or(0);
                probability[layer] += f64::from(row[target]);
                top1[layer] += usize::from(best == target);
                if p + 1 >= answer_start {
                    answer_top1[layer] += usize::from(best == target);
                }
            }
        }
        predicted += t - example.prompt_len;
        answers += t - answer_start;
    }
    let share = |n: f64, of: usize| if of == 0 { 0.0 } else { n / of as f64 };
    Ok(LogitLens {
        examples: examples.len(),
        predicted_positions: predicted,
        answer_positions: answers,
        layers: (0..=depth)
            .map(|l| LensLayer {
                after_layer: l,
                reference_probability: share(probability[l], predicted),
                top1: share(top1[l] as f64, predicted),
                answer_top1: share(answer_top1[l] as f64, answers),
            })
            .collect(),
    })
}
