//! A serialisable request for a task: kind, size and parameters, validated into a [`Task`].

use serde::{Deserialize, Serialize};

use super::{Task, TaskError, TaskKind, TaskParams};

/// Which task, at which size, with which parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
    pub task: TaskKind,
    pub size: usize,
    #[serde(default)]
    pub params: TaskParams,
}

impl TaskSpec {
    /// The task at `size` with default parameters (validated by [`TaskSpec::build`]).
    pub fn new(task: TaskKind, size: usize) -> Self {
        Self {
            task,
            size,
            params: TaskParams::default(),
        }
    }

    /// The task at its default size and parameters.
    pub fn default_for(task: TaskKind) -> Self {
        Self::new(task, task.info().default_size)
    }

    /// The same task and parameters at another size.
    pub fn at_size(&self, size: usize) -> Self {
        Self {
            size,
            ..self.clone()
        }
    }

    /// Check parameter names, size and parameter ranges (in that order), then build the task;
    /// errors are values, never panics.
    pub fn build(&self) -> Result<Box<dyn Task>, TaskError> {
        let info = self.task.info();
        if let Some((name, _)) = self.params.iter().find(|(n, _)| info.param(n).is_none()) {
            return Err(TaskError::UnsupportedParam {
                task: info.name,
                name: name.to_string(),
            });
        }
        info.check_size(self.size)?;
        for param in info.params {
            param.check(info.name, self.params.value(param))?;
        }
        self.task.construct(self.size, &self.params)
    }
}
