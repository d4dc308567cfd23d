//! Looking inside a trained model on one example: greedy chain-of-thought generation, its
//! grade against the reference, and the attention weights of every layer and head.

use burn::prelude::*;

use super::TrainError;
use super::yield_now::yield_now;
use crate::models::{SequenceModel, Trace};
use crate::tasks::{Example, Grade, Task, TaskKind};

/// Everything the attention map and the CoT player show (it crosses from the training worker
/// to the page as JSON).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Inspection {
    /// The task the example comes from.
    pub task: TaskKind,
    /// The reference example (prompt, CoT, answer, DP trace).
    pub reference: Example,
    /// Prompt followed by the model's greedy continuation.
    pub tokens: Vec<u32>,
    /// Text of each token in `tokens`.
    pub labels: Vec<String>,
    /// Text of each reference token.
    pub reference_labels: Vec<String>,
    pub grade: Grade,
    /// Attention layers (0 for RNNs and SSMs).
    pub n_layers: usize,
    pub n_heads: usize,
    /// `attention[layer][head]` is a row-major `T × T` matrix over `tokens` (row = query).
    pub attention: Vec<Vec<Vec<f32>>>,
    /// Recurrent models: `state_norms[layer][t]` is the L2 norm of the state after token `t`.
    pub state_norms: Vec<Vec<f32>>,
    /// Which held-out example this is (`None`: a prompt the user typed).
    #[serde(default)]
    pub example: Option<usize>,
}

impl Inspection {
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Weight with which position `query` attends to `key`.
    pub fn weight(&self, layer: usize, head: usize, query: usize, key: usize) -> f32 {
        self.attention[layer][head][query * self.len() + key]
    }

    /// Whether the generated token at position `pos` differs from the reference.
    pub fn is_wrong(&self, pos: usize) -> bool {
        pos >= self.reference.prompt_len && self.reference.tokens.get(pos) != self.tokens.get(pos)
    }
}

fn read_err(e: impl std::fmt::Debug) -> TrainError {
    TrainError::Device(format!("{e:?}"))
}

/// Every value of a float tensor, row-major, with one async read (the page's WebGPU allows
/// no other); the instruments read their traces with it too.
pub async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    Ok(tensor
        .into_data_async()
        .await
        .map_err(read_err)?
        .iter::<f32>()
        .collect())
}

/// The trace of `tokens` as one sequence of a batch of one (the attention map's, and what the
/// instruments score).
pub fn trace_of<M: SequenceModel>(
    model: &M,
    tokens: &[u32],
    device: &Device,
) -> Result<Trace, TrainError> {
    let ids: Vec<i64> = tokens.iter().map(|&x| i64::from(x)).collect();
    let input = Tensor::<1, Int>::from_ints(ids.as_slice(), device).reshape([1, tokens.len()]);
    Ok(model.forward_with_trace(input)?.1)
}

/// Generate greedily from the example's prompt with the cached decoder (one step and one small
/// read per token), then trace attention (or the recurrent state) over the whole sequence.
pub async fn inspect<M: SequenceModel>(
    model: &M,
    example: &Example,
    task: &dyn Task,
    device: &Device,
) -> Result<Inspection, TrainError> {
    let vocab = task.vocab();
    let mut tokens: Vec<u32> = example.prompt().to_vec();
    let mut cache = model.init_cache(1, device);
    let token = |x: u32| Tensor::<1, Int>::from_ints([i64::from(x)], device);
    // Feed the prompt but its last token; their logits are not needed.
    for &x in &tokens[..tokens.len().saturating_sub(1)] {
        model.step(token(x), &mut cache)?;
    }
    while tokens.len() < example.len() {
        let logits = model.step(token(tokens[tokens.len() - 1]), &mut cache)?;
        let next = logits
            .argmax(1)
            .reshape([1])
            .into_data_async()
            .await
            .map_err(read_err)?;
        let next = next.iter::<i64>().next().unwrap_or(0);
        tokens.push(u32::try_from(next).unwrap_or(0));
        yield_now().await;
    }
    let t = tokens.len();
    let trace = trace_of(model, &tokens, device)?;
    let n_layers = trace.attention.len();
    let n_heads = trace.attention.first().map_or(0, |w| w.dims()[1]);
    let mut attention = Vec::with_capacity(n_layers);
    for weights in trace.attention {
        let flat = read_floats(weights).await?;
        attention.push(flat.chunks(t * t).map(<[f32]>::to_vec).collect());
    }
    let mut state_norms = Vec::with_capacity(trace.state_norms.len());
    for norms in trace.state_norms {
        state_norms.push(read_floats(norms).await?);
    }
    let grade = example.grade(&tokens[example.prompt_len..]);
    Ok(Inspection {
        task: task.kind(),
        reference: example.clone(),
        labels: tokens.iter().map(|&x| vocab.text(x).to_string()).collect(),
        reference_labels: example
            .tokens
            .iter()
            .map(|&x| vocab.text(x).to_string())
            .collect(),
        tokens,
        grade,
        n_layers,
        n_heads,
        attention,
        state_norms,
        example: None,
    })
}
