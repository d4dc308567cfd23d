//! A serialisable request for a task: kind, size and parameters — and for the custom task its
//! data — validated into a [`Task`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Custom, CustomData, Task, TaskError, TaskKind, TaskParams};

/// Which task, at which size, with which parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
    pub task: TaskKind,
    pub size: usize,
    #[serde(default)]
    pub params: TaskParams,
    /// The examples of a custom task (`None` for every generated task). Shared, not copied,
    /// when a config is cloned; written into every config, checkpoint and stored run that
    /// holds the spec, so those are self-contained — but never into a link.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "shared_data")]
    pub data: Option<Arc<CustomData>>,
}

/// serde for `Option<Arc<CustomData>>` (serde's `rc` feature is not enabled; this is the
/// only shared value serialised).
mod shared_data {
    use super::*;

    pub fn serialize<S: serde::Serializer>(
        data: &Option<Arc<CustomData>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        data.as_deref().serialize(s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Arc<CustomData>>, D::Error> {
        Ok(Option::<CustomData>::deserialize(d)?.map(Arc::new))
    }
}

impl TaskSpec {
    /// The task at `size` with default parameters (validated by [`TaskSpec::build`]).
    pub fn new(task: TaskKind, size: usize) -> Self {
        Self {
            task,
            size,
            params: TaskParams::default(),
            data: None,
        }
    }

    /// The task at its default size and parameters.
    pub fn default_for(task: TaskKind) -> Self {
        Self::new(task, task.info().default_size)
    }

    /// The custom task over `data`.
    pub fn custom(data: Arc<CustomData>) -> Self {
        Self {
            data: Some(data),
            ..Self::default_for(TaskKind::Custom)
        }
    }

    /// The same task and parameters at another size.
    pub fn at_size(&self, size: usize) -> Self {
        Self {
            size,
            ..self.clone()
        }
    }

    /// For people: `lis size 5`, or `custom “file.txt” (240 examples)`.
    pub fn describe(&self) -> String {
        match &self.data {
            Some(data) => format!(
                "{} “{}” ({} examples)",
                self.task.name(),
                data.name(),
                data.len()
            ),
            None => format!("{} size {}", self.task.name(), self.size),
        }
    }

    /// Check parameter names, size and parameter ranges (in that order), then build the task;
    /// errors are values, never panics. The custom task needs data; no other task takes any.
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
        match (self.task, &self.data) {
            (TaskKind::Custom, Some(data)) => Ok(Box::new(Custom::new(data.clone())?)),
            (TaskKind::Custom, None) => Err(TaskError::NoData),
            (kind, Some(_)) => Err(TaskError::DataNotTaken { task: kind.name() }),
            (kind, None) => kind.construct(self.size, &self.params),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Arc<CustomData> {
        let text: String = (0..12).map(|i| format!("{i} => {}\n", i % 2)).collect();
        Arc::new(CustomData::parse("parity.txt", &text).unwrap())
    }

    #[test]
    fn a_custom_spec_builds_from_its_data_and_round_trips_through_json() {
        let spec = TaskSpec::custom(data());
        let task = spec.build().unwrap();
        assert_eq!(task.kind(), TaskKind::Custom);
        assert_eq!(task.vocab().len(), 2 + 12);
        assert_eq!(spec.describe(), "custom “parity.txt” (12 examples)");
        let json = serde_json::to_string(&spec).unwrap();
        let back: TaskSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spec);
        // Generated tasks store no data field at all.
        let lis = serde_json::to_string(&TaskSpec::default_for(TaskKind::Lis)).unwrap();
        assert!(!lis.contains("data"), "{lis}");
    }

    #[test]
    fn data_belongs_to_the_custom_task_only() {
        let no_data = TaskSpec::default_for(TaskKind::Custom);
        assert_eq!(no_data.build().err(), Some(TaskError::NoData));
        let lis_with_data = TaskSpec {
            data: Some(data()),
            ..TaskSpec::default_for(TaskKind::Lis)
        };
        assert_eq!(
            lis_with_data.build().err(),
            Some(TaskError::DataNotTaken { task: "lis" })
        );
        assert!(matches!(
            TaskSpec::custom(data()).at_size(2).build(),
            Err(TaskError::SizeOutOfRange { .. })
        ));
    }
}
