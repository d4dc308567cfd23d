//! A serialisable request for a task: kind, size and parameters, validated into a [`Task`].

use serde::{Deserialize, Serialize};

use super::kind::ParamInfo;
use super::{
    Arithmetic, Disjointness, Dyck, Ed, Equality, IndexLookup, Lis, Majority, NearestNeighbor,
    Parity, Task, TaskError, TaskKind,
};

/// Parameters beyond size. `None` means the task's default; a parameter the task does not
/// take is an error, not silently ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskParams {
    /// Dyck: number of bracket types k.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brackets: Option<usize>,
    /// Dyck: depth bound m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<usize>,
    /// Nearest neighbour: bit width b.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bits: Option<usize>,
    /// Index lookup: alphabet size of the stored sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols: Option<usize>,
}

impl TaskParams {
    fn entries(&self) -> [(&'static str, Option<usize>); 4] {
        [
            ("brackets", self.brackets),
            ("depth", self.depth),
            ("bits", self.bits),
            ("symbols", self.symbols),
        ]
    }
}

/// Which task, at which size, with which parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
        Self {
            task,
            size: task.info().default_size,
            params: TaskParams::default(),
        }
    }

    /// Validate a parameter: its value (or default) when the task takes it and it is in range.
    pub(crate) fn param(&self, info: &ParamInfo) -> Result<usize, TaskError> {
        let name = self.task.name();
        let value = self
            .params
            .entries()
            .iter()
            .find(|(n, _)| *n == info.name)
            .and_then(|(_, v)| *v)
            .unwrap_or(info.default);
        info.check(name, value)
    }

    /// Check size and parameters and build the task; errors are values, never panics.
    pub fn build(&self) -> Result<Box<dyn Task>, TaskError> {
        let info = self.task.info();
        for (name, value) in self.params.entries() {
            if value.is_some() && !info.params.iter().any(|p| p.name == name) {
                return Err(TaskError::UnsupportedParam {
                    task: info.name,
                    name,
                });
            }
        }
        if !(info.min_size..=info.max_size).contains(&self.size) {
            return Err(TaskError::SizeOutOfRange {
                task: info.name,
                size: self.size,
                min: info.min_size,
                max: info.max_size,
            });
        }
        let n = self.size;
        Ok(match self.task {
            TaskKind::Arithmetic => Box::new(Arithmetic::new(n)?),
            TaskKind::Lis => Box::new(Lis::new(n)?),
            TaskKind::Ed => Box::new(Ed::new(n)?),
            TaskKind::IndexLookup => {
                Box::new(IndexLookup::new(n, self.param(&super::kind::SYMBOLS)?)?)
            }
            TaskKind::Dyck => Box::new(Dyck::new(
                n,
                self.param(&super::kind::BRACKETS)?,
                self.param(&super::kind::DEPTH)?,
            )?),
            TaskKind::Equality => Box::new(Equality::new(n)?),
            TaskKind::Disjointness => Box::new(Disjointness::new(n)?),
            TaskKind::NearestNeighbor => {
                Box::new(NearestNeighbor::new(n, self.param(&super::kind::BITS)?)?)
            }
            TaskKind::Majority => Box::new(Majority::new(n)?),
            TaskKind::Parity => Box::new(Parity::new(n)?),
        })
    }
}
