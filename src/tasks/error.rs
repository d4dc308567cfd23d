//! Errors a task can return for bad requests or malformed input. Never a panic.

/// Why a task request or an input could not be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The requested size is outside what the task supports.
    #[error("{task}: size {size} is out of range (supported: {min}..={max})")]
    SizeOutOfRange {
        task: &'static str,
        size: usize,
        min: usize,
        max: usize,
    },
    /// A token that is not in the task's vocabulary.
    #[error("unknown token `{0}`")]
    UnknownToken(String),
    /// The token sequence does not have the task's structure.
    #[error("malformed input: {0}")]
    Malformed(String),
}
