//! Everything that defines a training run, validated up front.

use serde::{Deserialize, Serialize};

use super::memory::{human_bytes, memory_cap, training_bytes};
use crate::models::config::{check_count, check_range};
use crate::models::{
    ArchSpec, AttentionMode, ConfigError, IndexTokens, ModelConfig, PairedHalves, RangeError,
    SequenceTooLong,
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
    #[error("curriculum: {0}")]
    Curriculum(String),
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
    /// Train on smaller sizes of the task first ([`Curriculum`]); `None`: every step at the
    /// task's size. Evaluation is always at the task's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curriculum: Option<Curriculum>,
}

/// A task built at one size of a curriculum, with that size.
pub type SizedTask = (usize, Box<dyn Task>);

/// A curriculum over the task's size: training starts at size `from`, which doubles stage by
/// stage (equal numbers of steps) up to the task's size over the first `fraction` of the steps;
/// the remaining steps train at the task's size. For tasks whose smaller sizes use the same
/// tokens (bit strings, brackets, numbers); the model is built for the task's size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Curriculum {
    pub from: usize,
    pub fraction: f64,
}

impl Curriculum {
    /// The sizes trained at before the task's `size`, smallest first (doubling from `from`).
    pub fn stages(&self, size: usize) -> Vec<usize> {
        std::iter::successors(Some(self.from), |s| s.checked_mul(2))
            .take_while(|s| *s < size)
            .collect()
    }

    /// The size step `step` of a `steps`-step run trains at (no allocation: the trainer asks
    /// for every example it draws).
    pub fn size_at(&self, step: usize, steps: usize, size: usize) -> usize {
        let mut count = 0;
        let mut s = self.from;
        while s > 0 && s < size {
            count += 1;
            s = s.saturating_mul(2);
        }
        if count == 0 {
            return size;
        }
        let span = (self.fraction * steps as f64).floor() as usize;
        let stage = step / (span / count).max(1);
        if stage < count {
            self.from << stage
        } else {
            size
        }
    }

    /// `from:fraction` (`8:0.5`), or `from` alone (half the steps), as the CLI takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (from, fraction) = match text.split_once(':') {
            Some((from, fraction)) => (from, Some(fraction)),
            None => (text, None),
        };
        let from = from
            .trim()
            .parse()
            .map_err(|_| format!("curriculum `{text}`: the start size must be a whole number"))?;
        let fraction = match fraction {
            Some(f) => f.trim().parse().map_err(|_| {
                format!("curriculum `{text}`: the fraction of steps must be a number in (0, 1]")
            })?,
            None => 0.5,
        };
        Ok(Self { from, fraction })
    }
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
            curriculum: None,
        }
    }
}

impl TrainConfig {
    /// The task this run trains on.
    pub fn task(&self) -> Result<Box<dyn Task>, TaskError> {
        self.task.build()
    }

    /// The tasks a curriculum trains on before the task's size, with their sizes, smallest
    /// first (empty without a curriculum). Each must use the task's own tokens.
    pub fn curriculum_tasks(&self) -> Result<Vec<SizedTask>, TrainError> {
        let Some(c) = self.curriculum else {
            return Ok(Vec::new());
        };
        let size = self.task.size;
        let fails = |why: String| TrainError::Curriculum(why);
        if !(c.fraction > 0.0 && c.fraction <= 1.0) {
            return Err(fails(format!(
                "the fraction of steps on smaller sizes must be in (0, 1], got {}",
                c.fraction
            )));
        }
        if self.task.task == TaskKind::Custom {
            return Err(fails(
                "your own data has no smaller sizes to start from".to_string(),
            ));
        }
        if c.from == 0 || c.from >= size {
            return Err(fails(format!(
                "it starts at size {} but must start below the task's size {size} (and above 0)",
                c.from
            )));
        }
        let stages = c.stages(size);
        if (c.fraction * self.steps as f64).floor() < stages.len() as f64 {
            return Err(fails(format!(
                "{} steps cannot give {} smaller sizes a step each",
                self.steps,
                stages.len()
            )));
        }
        let task = self.task()?;
        let mut tasks = Vec::with_capacity(stages.len());
        for &stage in &stages {
            let small = self
                .task
                .at_size(stage)
                .build()
                .map_err(|e| fails(format!("size {stage} is not a size of this task: {e}")))?;
            if small.vocab().tokens() != task.vocab().tokens() {
                return Err(fails(format!(
                    "at size {stage} the task uses other tokens than at size {size} (a model \
                     cannot carry over between them)"
                )));
            }
            tasks.push((stage, small));
        }
        Ok(tasks)
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
            paired: match task.paired_halves() {
                Some(n) if self.model.pairs_share_position => Some(PairedHalves { n }),
                _ => None,
            },
        };
        config.validate()?;
        Ok(config)
    }

    /// One line: task, size, architecture, layers and width (headers of `lab` commands).
    pub fn summary(&self) -> String {
        let curriculum = self.curriculum.map_or_else(String::new, |c| {
            format!(
                " · curriculum from size {} over {:.0} % of the steps",
                c.from,
                100.0 * c.fraction
            )
        });
        // The embedding choices that change what a run can learn (the claims' recipes).
        let shared = match (
            self.model.index_shares_position,
            self.model.pairs_share_position,
        ) {
            (true, true) => " · index tokens and pairs share position codes",
            (true, false) => " · index tokens share position codes",
            (false, true) => " · pairs share position codes",
            (false, false) => "",
        };
        format!(
            "{} · {} · {} layers · width {}{shared}{curriculum}",
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
        self.curriculum_tasks()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_the_shared_position_codes() {
        let mut config = TrainConfig::default();
        assert!(!config.summary().contains("share position codes"));
        config.model.pairs_share_position = true;
        assert!(config.summary().contains(" · pairs share position codes"));
        config.model.index_shares_position = true;
        assert!(
            config
                .summary()
                .contains(" · index tokens and pairs share position codes")
        );
    }
}
