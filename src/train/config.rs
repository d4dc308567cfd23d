//! Everything that defines a training run, validated up front.

use serde::{Deserialize, Serialize};

use crate::models::{Architecture, AttentionMode, ConfigError, ModelConfig, PositionalEncoding};
use crate::tasks::{Task, TaskError, TaskKind, TaskSpec};

/// Why a run cannot start or continue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Task(#[from] TaskError),
    #[error(transparent)]
    Model(#[from] ConfigError),
    #[error("{name} must be in {min}..={max}, got {value}")]
    OutOfRange {
        name: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
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
    #[error("cancelled")]
    Cancelled,
    #[error(
        "training diverged at step {step}: the loss is {loss}. The weights of step {restored} (the last evaluation with a finite loss) were restored; try a lower learning rate"
    )]
    Diverged {
        step: usize,
        loss: f32,
        restored: usize,
    },
}

/// A training run: any task of the suite, any architecture of the zoo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Task, size and task parameters.
    pub task: TaskSpec,
    #[serde(default)]
    pub architecture: Architecture,
    #[serde(default)]
    pub attention: AttentionMode,
    #[serde(default)]
    pub positional: PositionalEncoding,
    /// Sparse block size; `None` = ⌈√length⌉.
    #[serde(default)]
    pub block_size: Option<usize>,
    /// The model's context length when it must exceed the task's longest sequence (to test
    /// length generalisation); `None` = the task's.
    #[serde(default)]
    pub context: Option<usize>,
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub steps: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub seed: u64,
    /// Read the loss back (and evaluate) every this many steps.
    pub eval_every: usize,
    /// Held-out examples used for each evaluation.
    pub eval_examples: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            task: TaskSpec {
                size: 5,
                ..TaskSpec::default_for(TaskKind::Lis)
            },
            architecture: Architecture::Standard,
            attention: AttentionMode::Softmax,
            positional: PositionalEncoding::Sinusoidal,
            block_size: None,
            context: None,
            d_model: 64,
            n_layers: 3,
            n_heads: 4,
            steps: 2000,
            batch_size: 32,
            learning_rate: 3e-3,
            seed: 1,
            eval_every: 100,
            eval_examples: 128,
        }
    }
}

impl TrainConfig {
    /// The task this run trains on.
    pub fn task(&self) -> Result<Box<dyn Task>, TaskError> {
        self.task.build()
    }

    /// The model this run trains, sized for the task.
    pub fn model(&self) -> Result<ModelConfig, TrainError> {
        let task = self.task()?;
        let config = ModelConfig {
            architecture: self.architecture,
            vocab_size: task.vocab().len(),
            max_len: self.context.unwrap_or(0).max(task.max_seq_len()),
            d_model: self.d_model,
            n_layers: self.n_layers,
            n_heads: self.n_heads,
            attention: self.attention,
            positional: self.positional,
            block_size: self.block_size,
            ..ModelConfig::default()
        };
        config.validate()?;
        Ok(config)
    }

    /// Check every field; nothing is allocated before this passes.
    pub fn validate(&self) -> Result<(), TrainError> {
        self.model()?;
        let range = |name, value: f64, min: f64, max: f64| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(TrainError::OutOfRange {
                    name,
                    value,
                    min,
                    max,
                })
            }
        };
        range("steps", self.steps as f64, 1.0, 1e6)?;
        range("batch size", self.batch_size as f64, 1.0, 4096.0)?;
        range("learning rate", self.learning_rate, 1e-6, 1.0)?;
        range("evaluation interval", self.eval_every as f64, 1.0, 1e6)?;
        range(
            "evaluation examples",
            self.eval_examples as f64,
            1.0,
            10000.0,
        )?;
        Ok(())
    }
}
