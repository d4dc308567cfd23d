//! Instruments: numbers that say whether a model computes what the task's algorithm computes.
//! They join a trained model (`models/`) to its task's reference algorithm (`tasks/`) on
//! held-out examples, like `train/` does, and sit above it; the page and the CLI use them.
//!
//! - [`agreement`]: per attention head, how much it looks where the algorithm reads;
//! - [`ablation`]: per attention head, the accuracy lost when it is silenced;
//! - [`lens`]: per layer, how much of the prediction the residual stream already holds;
//! - [`patching`]: per layer and position, which activation carries what decides the answer;
//! - [`length`]: accuracy against the task's size, one curve per model, bands over seeds;
//! - [`probe`]: per layer, whether a variable the algorithm keeps can be read linearly;
//! - [`bootstrap`]: their intervals over examples.

pub mod ablation;
pub mod agreement;
pub mod bootstrap;
pub mod length;
pub mod lens;
pub mod patching;
pub mod probe;
