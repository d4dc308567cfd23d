//! A serialisable request for a task: kind, size and parameters, validated into a [`Task`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ParamInfo, Task, TaskError, TaskKind};

/// Parameters beyond size, by name (`{"brackets": 2}`). A missing one means the task's
/// default; one the task does not take is an error, not silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskParams(BTreeMap<String, usize>);

impl TaskParams {
    /// The value given for `name`, if any.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.0.get(name).copied()
    }

    /// Give `name` a value, or take it back to the default with `None`.
    pub fn set(&mut self, name: &str, value: Option<usize>) {
        match value {
            Some(v) => self.0.insert(name.to_string(), v),
            None => self.0.remove(name),
        };
    }

    /// The given values, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.0.iter().map(|(name, &value)| (name.as_str(), value))
    }

    /// The value given for the parameter, or its default.
    pub fn value(&self, param: &ParamInfo) -> usize {
        self.get(param.name).unwrap_or(param.default)
    }
}

impl<S: Into<String>> FromIterator<(S, usize)> for TaskParams {
    fn from_iter<I: IntoIterator<Item = (S, usize)>>(pairs: I) -> Self {
        Self(pairs.into_iter().map(|(n, v)| (n.into(), v)).collect())
    }
}

impl<const N: usize> From<[(&str, usize); N]> for TaskParams {
    fn from(pairs: [(&str, usize); N]) -> Self {
        pairs.into_iter().collect()
    }
}

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
