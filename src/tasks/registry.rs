//! The catalogue of tasks: one line per task from its kind to its own description (`INFO` in
//! its file) and its constructor. `lab task list`, the page's task gallery and
//! [`super::TaskSpec::build`] loop over it. The custom task (your own data) has a kind and a
//! description too, but it is not in the list of generated tasks ([`TaskKind::all`]): it is
//! built from the data its spec carries.

use super::{
    Arithmetic, Disjointness, Dyck, Ed, Equality, IndexLookup, Lis, Locality, Majority,
    NearestNeighbor, Parity, Task, TaskError, TaskInfo, TaskKind, TaskParams, arithmetic, custom,
    disjointness, dyck, ed, equality, index_lookup, lis, majority, nearest_neighbor, parity,
};

/// Builds a task at a size from its parameters (each the given value or its default).
type Constructor = fn(usize, &TaskParams) -> Result<Box<dyn Task>, TaskError>;

fn boxed(task: Result<impl Task + 'static, TaskError>) -> Result<Box<dyn Task>, TaskError> {
    Ok(Box::new(task?))
}

const ALL: [TaskKind; 10] = [
    TaskKind::Arithmetic,
    TaskKind::Lis,
    TaskKind::Ed,
    TaskKind::IndexLookup,
    TaskKind::Dyck,
    TaskKind::Equality,
    TaskKind::Disjointness,
    TaskKind::NearestNeighbor,
    TaskKind::Majority,
    TaskKind::Parity,
];

impl TaskKind {
    /// The task's description and its constructor.
    fn entry(self) -> (&'static TaskInfo, Constructor) {
        match self {
            Self::Arithmetic => (&arithmetic::INFO, |n, _| boxed(Arithmetic::new(n))),
            Self::Lis => (&lis::INFO, |n, _| boxed(Lis::new(n))),
            Self::Ed => (&ed::INFO, |n, _| boxed(Ed::new(n))),
            Self::IndexLookup => (&index_lookup::INFO, |n, p| {
                boxed(IndexLookup::new(n, p.value(&index_lookup::SYMBOLS)))
            }),
            Self::Dyck => (&dyck::INFO, |n, p| {
                boxed(Dyck::new(
                    n,
                    p.value(&dyck::BRACKETS),
                    p.value(&dyck::DEPTH),
                ))
            }),
            Self::Equality => (&equality::INFO, |n, _| boxed(Equality::new(n))),
            Self::Disjointness => (&disjointness::INFO, |n, _| boxed(Disjointness::new(n))),
            Self::NearestNeighbor => (&nearest_neighbor::INFO, |n, p| {
                boxed(NearestNeighbor::new(n, p.value(&nearest_neighbor::BITS)))
            }),
            Self::Majority => (&majority::INFO, |n, _| boxed(Majority::new(n))),
            Self::Parity => (&parity::INFO, |n, _| boxed(Parity::new(n))),
            // Built by `TaskSpec::build` from the spec's data; without data there is nothing.
            Self::Custom => (&custom::INFO, |_, _| Err(TaskError::NoData)),
        }
    }

    /// The generated tasks (every kind but [`TaskKind::Custom`]), in the order lists show them.
    pub fn all() -> &'static [TaskKind] {
        &ALL
    }

    /// Every name [`TaskKind::from_name`] reads: the generated tasks, then `custom`.
    pub fn names() -> Vec<&'static str> {
        Self::with_custom().map(|k| k.name()).collect()
    }

    fn with_custom() -> impl Iterator<Item = TaskKind> {
        ALL.iter().copied().chain([TaskKind::Custom])
    }

    pub fn info(self) -> &'static TaskInfo {
        self.entry().0
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn locality(self) -> Locality {
        self.info().locality
    }

    /// Parse a task name as written in TASKS.md (`index-lookup`, `nearest-neighbor`, …) or
    /// `custom`.
    pub fn from_name(name: &str) -> Result<Self, TaskError> {
        let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
        Self::with_custom()
            .find(|k| k.name() == wanted)
            .ok_or_else(|| TaskError::UnknownTask {
                name: name.to_string(),
                known: Self::names().join(", "),
            })
    }

    /// Build the task; [`super::TaskSpec::build`] has checked size and parameters.
    pub(crate) fn construct(
        self,
        size: usize,
        params: &TaskParams,
    ) -> Result<Box<dyn Task>, TaskError> {
        (self.entry().1)(size, params)
    }
}

impl std::fmt::Display for TaskKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_is_named_but_not_listed_and_needs_data() {
        let custom = TaskKind::from_name("custom").unwrap();
        assert_eq!(custom, TaskKind::Custom);
        assert_eq!(custom.info().kind, custom);
        assert!(!TaskKind::all().contains(&custom));
        assert!(TaskKind::names().contains(&"custom"));
        assert_eq!(
            custom.construct(1, &TaskParams::default()).err(),
            Some(TaskError::NoData)
        );
    }

    #[test]
    fn every_task_describes_itself_under_its_own_kind() {
        for &kind in TaskKind::all() {
            assert_eq!(kind.info().kind, kind);
            assert_eq!(TaskKind::from_name(kind.name()), Ok(kind));
            let task = kind.construct(kind.info().default_size, &TaskParams::default());
            assert_eq!(task.map(|t| t.kind()), Ok(kind));
        }
    }
}
