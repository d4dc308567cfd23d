//! Everything that defines a training run, validated up front.

use serde::{Deserialize, Serialize};

use super::memory::{human_bytes, memory_cap, training_bytes};
use crate::models::config::{check_count, check_range};
use crate::models::{
    ArchSpec, AttentionMode, ConfigError, IndexTokens, ModelConfig, RangeError, SequenceTooLong,
};
use crate::tasks::{Task, TaskError, TaskKind, TaskSpec};

/// Why a run cannot start or continue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Task(#[from] TaskError),
    #[error(transparent)]
    Model(#[from] ConfigError),
    #[error(transparent)]
    OutOfRange(#[from] RangeError),
    #[error(transparent)]
    TooLong(#[from] SequenceTooLong),
    #[error(
        "this run would need about {} of memory, more than the {} allowed here; use a smaller width, batch, depth or size",
        human_bytes(*.estimate),
        human_bytes(*.cap)
    )]
    TooMuchMemory { estimate: u64, cap: u64 },
    #[error("reading from the device failed: {0}")]
    Device(String),
    #[error(
        "size {size} needs sequences of {needed} tokens but the model's context is {context} (train with a longer context to test longer sizes)"
    )]
    ContextTooShort {
        size: usize,
        needed: usize,
        context: usize,
    },
    #[error("at size {size} the task has {task} tokens but the model was trained with {model}")]
    VocabularyAtSize {
        size: usize,
        task: usize,
        model: usize,
    },
    #[error(
        "a growing softmax scale needs softmax attention in a standard or sparse transformer, and a start in (0, softmax scale], got {0}"
    )]
    ScaleSchedule(f32),
    #[error("cancelled")]
    Cancelled,
    #[error("cannot resume this run: {0}")]
    Resume(String),
    #[error(
        "training diverged at step {step}: the loss is {loss}. The weights of step {restored} (the last evaluation with a finite loss) were restored; try a lower learning rate"
    )]
    Diverged {
        step: usize,
        loss: f32,
        restored: usize,
    },
}

/// A training run: any task of the suite, any architecture of the zoo. The model's spec is
/// flattened into the JSON (checkpoints and saved configs keep one flat layout); the model's
/// vocabulary and context follow from the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Task, size and task parameters.
    pub task: TaskSpec,
    /// Architecture, sizes and attention switches.
    #[serde(flatten)]
    pub model: ArchSpec,
    /// The model's context length when it must exceed the task's longest sequence (to test
    /// length generalisation); `None` = the task's.
    #[serde(default)]
    pub context: Option<usize>,
    pub steps: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub seed: u64,
    /// Read the loss back (and evaluate) every this many steps.
    pub eval_every: usize,
    /// Held-out examples used for each evaluation.
    pub eval_examples: usize,
    /// Train softmax attention with a growing scale: `c` grows geometrically from this value
    /// at the first step to the model's `softmax_scale` at the last (towards saturated
    /// attention, with gradients). The trained model is the final one (scale
    /// `softmax_scale`); `None`: the scale stays fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub softmax_scale_from: Option<f32>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            task: TaskSpec {
                size: 5,
                ..TaskSpec::default_for(TaskKind::Lis)
            },
            model: ArchSpec {
                n_layers: 3,
                ..ArchSpec::default()
            },
            context: None,
            steps: 2000,
            batch_size: 32,
            learning_rate: 3e-3,
            seed: 1,
            eval_every: 100,
            eval_examples: 128,
            softmax_scale_from: None,
        }
    }
}

impl TrainConfig {
    /// The task this run trains on.
    pub fn task(&self) -> Result<Box<dyn Task>, TaskError> {
        self.task.build()
    }

    /// The model this run trains: the spec, sized for the task (validated).
    pub fn model(&self) -> Result<ModelConfig, TrainError> {
        let task = self.task()?;
        let index_tokens = match task.position_tokens() {
            Some((first, count)) if self.model.index_shares_position => {
                Some(IndexTokens { first, count })
            }
            _ => None,
        };
        let config = ModelConfig {
            arch: self.model.clone(),
            vocab_size: task.vocab().len(),
            max_len: self.context.unwrap_or(0).max(task.max_seq_len()),
            index_tokens,
        };
        config.validate()?;
        Ok(config)
    }

    /// One line: task, size, architecture, layers and width (headers of `lab` commands).
    pub fn summary(&self) -> String {
        format!(
            "{} · {} · {} layers · width {}",
            self.task.describe(),
            self.model.architecture.title(),
            self.model.n_layers,
            self.model.d_model
        )
    }

    /// Check every field; nothing is allocated before this passes.
    pub fn validate(&self) -> Result<(), TrainError> {
        let model = self.model()?;
        check_count("steps", self.steps, 1, 1_000_000)?;
        check_count("batch size", self.batch_size, 1, 4096)?;
        check_range("learning rate", self.learning_rate, 1e-6, 1.0)?;
        check_count("evaluation interval", self.eval_every, 1, 1_000_000)?;
        check_count("evaluation examples", self.eval_examples, 1, 10_000)?;
        if let Some(from) = self.softmax_scale_from {
            let arch = &self.model;
            let fits = arch.architecture.has_attention_modes()
                && arch.attention == AttentionMode::Softmax
                && from.is_finite()
                && from > 0.0
                && from <= arch.softmax_scale;
            if !fits {
                return Err(TrainError::ScaleSchedule(from));
            }
        }
        // Evaluation runs batches of up to 64 examples; training runs `batch_size`.
        let estimate = training_bytes(&model, self.batch_size.max(64));
        let cap = memory_cap();
        if estimate > cap {
            return Err(TrainError::TooMuchMemory { estimate, cap });
        }
        Ok(())
    }
}
