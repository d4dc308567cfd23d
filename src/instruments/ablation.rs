//! Interventions: silence one attention head at a time (zero ablation: its rows of the output
//! projection set to zero, [`Model::without_head`]), then every head of a layer at once, and
//! measure the teacher-forced accuracy the model loses on held-out examples — which heads and
//! which layers' attention the task needs.
//!
//! The drop is paired (the same examples with and without the head) and carries a bootstrap
//! 95 % interval over examples.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::bootstrap::{Share, pooled};
use crate::models::Model;
use crate::tasks::Example;
use crate::train::TrainError;
use crate::train::eval::{ExampleScore, teacher_forced_each};

/// One head silenced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadAblation {
    pub layer: usize,
    pub head: usize,
    /// Teacher-forced whole-sequence exact match without the head.
    pub exact: f64,
    /// Points of exact match lost (positive: the model needs the head).
    pub exact_drop: Share,
    /// Answer accuracy without the head, and the points lost.
    pub answer: f64,
    pub answer_drop: Share,
}

/// Every head of one layer silenced at once (the layer's attention removed; its MLP stays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerAblation {
    pub layer: usize,
    pub exact: f64,
    pub exact_drop: Share,
    pub answer: f64,
    pub answer_drop: Share,
}

/// Every head of a model silenced in turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ablation {
    pub examples: usize,
    /// With every head.
    pub exact: f64,
    pub answer: f64,
    pub heads: Vec<HeadAblation>,
    /// Each layer's heads silenced together (absent in tables written before it was measured).
    #[serde(default)]
    pub layers: Vec<LayerAblation>,
}

/// Silence each head of `model` in turn and score it on `examples`; `Ok(None)` for a model
/// without attention heads.
pub async fn ablate_heads(
    model: &Model,
    layers: usize,
    heads: usize,
    examples: &[Example],
    device: &Device,
) -> Result<Option<Ablation>, TrainError> {
    let base = teacher_forced_each(model, examples, device).await?;
    let share = |scores: &[ExampleScore], f: fn(&ExampleScore) -> bool| {
        scores.iter().filter(|s| f(s)).count() as f64 / scores.len().max(1) as f64
    };
    // The accuracies without what `silenced` silences and the points lost, paired per example.
    let effect = |scores: &[ExampleScore], key: u64| {
        let drop = |f: fn(&ExampleScore) -> bool, key: u64| {
            let items: Vec<(f64, f64)> = base
                .iter()
                .zip(scores)
                .map(|(b, s)| (f64::from(u8::from(f(b))) - f64::from(u8::from(f(s))), 1.0))
                .collect();
            pooled(&items, key)
        };
        (
            share(scores, |s| s.exact),
            drop(|s| s.exact, key),
            share(scores, |s| s.answer),
            drop(|s| s.answer, key + 500),
        )
    };
    let mut rows = Vec::new();
    let mut whole = Vec::new();
    for layer in 0..layers {
        let mut all = model.clone();
        for head in 0..heads {
            let Some(silenced) = model.clone().without_head(layer, head) else {
                return Ok(None);
            };
            let Some(fewer) = all.without_head(layer, head) else {
                return Ok(None);
            };
            all = fewer;
            let scores = teacher_forced_each(&silenced, examples, device).await?;
            let (exact, exact_drop, answer, answer_drop) =
                effect(&scores, (layer * 1000 + head) as u64);
            rows.push(HeadAblation {
                layer,
                head,
                exact,
                exact_drop,
                answer,
                answer_drop,
            });
        }
        let scores = teacher_forced_each(&all, examples, device).await?;
        let (exact, exact_drop, answer, answer_drop) = effect(&scores, 900_000 + layer as u64);
        whole.push(LayerAblation {
            layer,
            exact,
            exact_drop,
            answer,
            answer_drop,
        });
    }
    Ok(Some(Ablation {
        examples: examples.len(),
        exact: share(&base, |s| s.exact),
        answer: share(&base, |s| s.answer),
        heads: rows,
        layers: whole,
    }))
}
