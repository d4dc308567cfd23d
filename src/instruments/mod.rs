//! Instruments: numbers that say whether a model computes what the task's algorithm computes.
//! They join a trained model (`models/`) to its task's reference algorithm (`tasks/`) on
//! held-out examples, like `train/` does, and sit above it; the page and the CLI use them.
//!
//! - [`agreement`]: per attention head, how much it looks where the algorithm reads.

pub mod agreement;
