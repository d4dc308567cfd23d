//! Why a grid cannot run or its results cannot be read.

use super::construct::ConstructError;
use crate::train::TrainError;

/// Why a grid cannot run or its results cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Construct(#[from] ConstructError),
    #[error("{0}")]
    Records(String),
    #[error("{path}: {error}")]
    Io { path: String, error: String },
}
