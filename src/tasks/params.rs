//! A task's parameters beyond size, by name, as requests, checkpoints and links carry them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ParamInfo;

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
