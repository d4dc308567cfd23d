//! Errors a task can return for bad requests or malformed input. Never a panic.

/// Why a task request or an input could not be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// No task has this name; `known` lists the names there are.
    #[error("unknown task `{name}` (known: {known})")]
    UnknownTask { name: String, known: String },
    /// The requested size is outside what the task supports.
    #[error("{task}: size {size} is out of range (supported: {min}..={max})")]
    SizeOutOfRange {
        task: &'static str,
        size: usize,
        min: usize,
        max: usize,
    },
    /// The size is in range but not allowed for another reason (e.g. must be odd).
    #[error("{task}: size {size} is not allowed: {reason}")]
    InvalidSize {
        task: &'static str,
        size: usize,
        reason: String,
    },
    /// A task parameter (Dyck depth, bit width, …) outside its range.
    #[error("{task}: parameter `{name}` = {value} is out of range (supported: {min}..={max})")]
    ParamOutOfRange {
        task: &'static str,
        name: &'static str,
        value: usize,
        min: usize,
        max: usize,
    },
    /// A parameter the task does not take.
    #[error("{task} does not take the parameter `{name}`")]
    UnsupportedParam { task: &'static str, name: String },
    /// A token that is not in the task's vocabulary.
    #[error("unknown token `{0}`")]
    UnknownToken(String),
    /// A custom task whose spec has no data: a link carries settings, never the data.
    #[error(
        "the custom task needs its data, which is not in this configuration (a link carries the settings, never the data): load the file again (the page's “Your own data”, or `lab train --task custom --data FILE`)"
    )]
    NoData,
    /// Data given to a generated task.
    #[error("{task} generates its examples: only the custom task takes data")]
    DataNotTaken { task: &'static str },
    /// The token sequence does not have the task's structure.
    #[error("malformed input: {0}")]
    Malformed(String),
}

/// Shorthand for [`TaskError::Malformed`].
pub(crate) fn malformed(message: impl Into<String>) -> TaskError {
    TaskError::Malformed(message.into())
}
