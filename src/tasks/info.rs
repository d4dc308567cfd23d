//! What a task says about itself: name, size range, parameters, what it tests and which paper
//! it comes from. Every task file exports one [`TaskInfo`] as `INFO`; this module knows none
//! of them.

use serde::Serialize;

use super::{Locality, TaskError, TaskKind};

/// The paper a task illustrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    /// Yang et al., ICML 2024 (formats from Feng et al. 2023).
    EfficientTransformers,
    /// Bhattamishra et al. 2024.
    Separations,
    /// Merrill et al. 2022.
    SaturatedTransformers,
    /// No paper: your own data.
    NoPaper,
}

impl Paper {
    pub fn citation(self) -> &'static str {
        match self {
            Self::EfficientTransformers => {
                "Yang et al. 2024, “Do Efficient Transformers Really Save Computation?”"
            }
            Self::Separations => {
                "Bhattamishra et al. 2024, “Separations in the Representational Capabilities of \
                 Transformers and Recurrent Architectures”"
            }
            Self::SaturatedTransformers => {
                "Merrill et al. 2022, “Saturated Transformers are Constant-Depth Threshold Circuits”"
            }
            Self::NoPaper => "no paper: your own data",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Self::EfficientTransformers => "Yang et al. 2024",
            Self::Separations => "Bhattamishra et al. 2024",
            Self::SaturatedTransformers => "Merrill et al. 2022",
            Self::NoPaper => "-",
        }
    }
}

/// A parameter beyond size, with its validated range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamInfo {
    pub name: &'static str,
    pub meaning: &'static str,
    pub min: usize,
    pub max: usize,
    pub default: usize,
}

impl ParamInfo {
    /// `Ok(value)` when it is within the parameter's range.
    pub fn check(&self, task: &'static str, value: usize) -> Result<usize, TaskError> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(TaskError::ParamOutOfRange {
                task,
                name: self.name,
                value,
                min: self.min,
                max: self.max,
            })
        }
    }
}

/// Static facts about one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    pub kind: TaskKind,
    pub name: &'static str,
    pub title: &'static str,
    /// What "size" counts.
    pub size_meaning: &'static str,
    pub min_size: usize,
    pub max_size: usize,
    pub default_size: usize,
    /// Whether the model writes a chain of thought before the answer.
    pub chain_of_thought: bool,
    pub paper: Paper,
    /// One sentence: the capability the task probes.
    pub tests: &'static str,
    /// One paragraph: the paper's claim the task illustrates.
    pub claim: &'static str,
    /// In the order `lab task list` and the page show them.
    pub params: &'static [ParamInfo],
    pub locality: Locality,
}

impl TaskInfo {
    /// `Ok` when `n` is within the task's size range.
    pub fn check_size(&self, n: usize) -> Result<(), TaskError> {
        if (self.min_size..=self.max_size).contains(&n) {
            Ok(())
        } else {
            Err(TaskError::SizeOutOfRange {
                task: self.name,
                size: n,
                min: self.min_size,
                max: self.max_size,
            })
        }
    }

    /// The parameter called `name`, if the task takes it.
    pub fn param(&self, name: &str) -> Option<&'static ParamInfo> {
        self.params.iter().find(|p| p.name == name)
    }
}
