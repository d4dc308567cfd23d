//! The named random streams of a run and its held-out set: one place that says which
//! examples a seed trains on and which it is judged on.

use crate::tasks::{Example, Task, TaskRng};

/// Stream ids that keep training and test data apart for one seed.
pub const TRAIN_STREAM: u64 = 0;
pub const TEST_STREAM: u64 = 1;
/// Fresh examples a sweep judges its runs on (at the trained size and the others).
pub const SWEEP_STREAM: u64 = 2;

/// The first `n` held-out examples of `task` for `seed` (the test stream). The trainer
/// evaluates on these, `eval::at_size` re-creates them at the trained size, and the page shows
/// the first one.
pub fn held_out(task: &dyn Task, seed: u64, n: usize) -> Vec<Example> {
    let mut rng = TaskRng::new(seed, TEST_STREAM);
    (0..n).map(|_| task.generate(&mut rng)).collect()
}

/// The first `n` examples a sweep judges a run on, at any size.
pub fn sweep_examples(task: &dyn Task, seed: u64, n: usize) -> Vec<Example> {
    let mut rng = TaskRng::new(seed, SWEEP_STREAM);
    (0..n).map(|_| task.generate(&mut rng)).collect()
}

/// The training stream of `seed`.
pub fn training_stream(seed: u64) -> TaskRng {
    TaskRng::new(seed, TRAIN_STREAM)
}
