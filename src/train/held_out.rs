//! The named random streams of a run and its held-out set: one place that says which
//! examples a seed trains on and which it is judged on.

use std::collections::HashSet;

use crate::tasks::{CustomData, Example, Task, TaskRng};

/// Stream ids that keep training and test data apart for one seed.
pub const TRAIN_STREAM: u64 = 0;
pub const TEST_STREAM: u64 = 1;
// Stream 2 judged the retired sweeps' runs: left unused.
/// Examples a claim's run is validated on (which restart of a cell is best): neither the
/// training nor the test stream.
pub const VALIDATION_STREAM: u64 = 3;

/// The first `n` held-out examples of `task` for `seed` (the test stream). The trainer
/// evaluates on these, `eval::at_size` re-creates them at the trained size, and the page shows
/// the first one.
///
/// A task over fixed lines (your own data, [`Task::dataset`]) holds out
/// [`CustomData::held_out_count`]`(n)` of them — at most a quarter, so fewer than `n` when the
/// data is small — drawn without replacement by the test stream: distinct lines (their prompts
/// are distinct too), the same for a seed on every platform, and the training stream
/// ([`TrainingStream`]) never returns them.
pub fn held_out(task: &dyn Task, seed: u64, n: usize) -> Vec<Example> {
    let mut rng = TaskRng::new(seed, TEST_STREAM);
    match task.dataset() {
        Some(data) => held_out_lines(data, &mut rng, n),
        None => (0..n).map(|_| task.generate(&mut rng)).collect(),
    }
}

/// `n` examples of the validation stream of `task` for `seed` (generated tasks only: a task over
/// fixed lines has none, an empty set).
pub fn validation_set(task: &dyn Task, seed: u64, n: usize) -> Vec<Example> {
    if task.dataset().is_some() {
        return Vec::new();
    }
    let mut rng = TaskRng::new(seed, VALIDATION_STREAM);
    (0..n).map(|_| task.generate(&mut rng)).collect()
}

/// `held_out_count(n)` distinct lines of the data, in the order drawn.
fn held_out_lines(data: &CustomData, rng: &mut TaskRng, n: usize) -> Vec<Example> {
    let count = data.held_out_count(n);
    if count == 0 {
        return Vec::new();
    }
    // `CustomData` holds at most `MAX_EXAMPLES` (20,000) lines: the index fits a u32.
    rng.distinct(0, (data.len() - 1) as u32, count)
        .into_iter()
        .filter_map(|i| data.example(i as usize))
        .collect()
}

/// The training stream of `seed`.
pub fn training_stream(seed: u64) -> TaskRng {
    TaskRng::new(seed, TRAIN_STREAM)
}

/// Where a [`TrainingStream`] stands: with the seed (and the test set it avoids) this is its
/// whole state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct StreamPosition {
    /// 32-bit words drawn from the training stream's generator ([`TaskRng::position`]).
    pub words: u64,
    /// Draws redone because their prompt was a test prompt ([`TrainingStream::redrawn`]).
    pub redrawn: usize,
    /// Test prompts trained on ([`TrainingStream::leaked`]).
    pub leaked: usize,
}

/// Draws per training example before a test-set collision is accepted (tasks so small that
/// nearly every prompt of a class is in the test set would otherwise loop).
pub const MAX_REDRAWS: usize = 256;

/// The examples a run trains on: the training stream of its seed with the held-out prompts
/// filtered out, keeping the generator's label distribution.
///
/// A draw whose prompt is a test prompt is replaced by the next draw of the *same class* (same
/// answer tokens) whose prompt is not: the class of every training example is the class of the
/// generator's draw, so filtering never skews the labels. (Redrawing unconditionally would:
/// in small tasks one class has far fewer prompts — equality at N = 8 has 256 positive prompts
/// against 65,280 negative ones — so its draws collide far more often, and the training stream
/// lost positives, ~38 % instead of 50 %.) After [`MAX_REDRAWS`] draws without one, the
/// colliding example is kept.
pub struct TrainingStream {
    rng: TaskRng,
    test_prompts: HashSet<Vec<u32>>,
    redrawn: usize,
    leaked: usize,
}

impl TrainingStream {
    /// The training stream of `seed`, disjoint from the prompts of `test_set`.
    pub fn new(seed: u64, test_set: &[Example]) -> Self {
        Self {
            rng: training_stream(seed),
            test_prompts: test_set.iter().map(|ex| ex.prompt().to_vec()).collect(),
            redrawn: 0,
            leaked: 0,
        }
    }

    /// The stream of `seed` continued from `position` (a resumed run: the same examples as if
    /// it had never stopped).
    pub fn resume(seed: u64, test_set: &[Example], position: StreamPosition) -> Self {
        Self {
            rng: TaskRng::at(seed, TRAIN_STREAM, u128::from(position.words)),
            redrawn: position.redrawn,
            leaked: position.leaked,
            ..Self::new(seed, test_set)
        }
    }

    /// Where the stream stands now (stored in resumable checkpoints).
    pub fn position(&self) -> StreamPosition {
        StreamPosition {
            // 2^64 words are far beyond any run (a step draws a few hundred).
            words: u64::try_from(self.rng.position()).unwrap_or(u64::MAX),
            redrawn: self.redrawn,
            leaked: self.leaked,
        }
    }

    /// The next training example of `task`.
    pub fn next_example(&mut self, task: &dyn Task) -> Example {
        let drawn = task.generate(&mut self.rng);
        if !self.test_prompts.contains(drawn.prompt()) {
            return drawn;
        }
        // Of another class, the first non-test draw: better than training on a test prompt
        // when the class has (almost) no prompt outside the test set.
        let mut other_class = None;
        for _ in 0..MAX_REDRAWS {
            self.redrawn += 1;
            let candidate = task.generate(&mut self.rng);
            if self.test_prompts.contains(candidate.prompt()) {
                continue;
            }
            if candidate.answer() == drawn.answer() {
                return candidate;
            }
            other_class.get_or_insert(candidate);
        }
        other_class.unwrap_or_else(|| {
            self.leaked += 1;
            drawn
        })
    }

    /// Test prompts trained on so far: only when every redraw was a test prompt too (a prompt
    /// space about the size of the test set).
    pub fn leaked(&self) -> usize {
        self.leaked
    }

    /// Examples drawn again so far because a draw's prompt was a test prompt (every extra draw
    /// counts).
    pub fn redrawn(&self) -> usize {
        self.redrawn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{TaskKind, TaskSpec};

    fn positive_share(examples: &[Example], positive: u32) -> f64 {
        let hits = examples.iter().filter(|e| e.answer() == [positive]).count();
        hits as f64 / examples.len() as f64
    }

    #[test]
    fn the_filter_keeps_the_label_balance_of_equality_at_n_8() {
        // Only 256 of the 65,536 prompts are positive: a quarter to a half of them land in a
        // 256-example test set, so positives collide with it far more often than negatives.
        let task = TaskSpec::new(TaskKind::Equality, 8).build().unwrap();
        let eq = task.vocab().id("eq").unwrap();
        let test = held_out(task.as_ref(), 1, 256);
        let mut stream = TrainingStream::new(1, &test);
        let train: Vec<Example> = (0..32_000)
            .map(|_| stream.next_example(task.as_ref()))
            .collect();
        let test_prompts: HashSet<&[u32]> = test.iter().map(Example::prompt).collect();
        assert!(train.iter().all(|e| !test_prompts.contains(e.prompt())));
        assert!(stream.redrawn() > 1000, "{}", stream.redrawn());

        let generator = positive_share(&validation_set(task.as_ref(), 7, 32_000), eq);
        let (train_share, test_share) = (positive_share(&train, eq), positive_share(&test, eq));
        assert!(
            (train_share - generator).abs() < 0.015,
            "training {train_share:.3} vs generator {generator:.3}"
        );
        assert!(
            (train_share - test_share).abs() < 0.04,
            "training {train_share:.3} vs test {test_share:.3}"
        );

        // The unconditional redraw this replaces skews the labels by more than the tolerance:
        // the check above can fail.
        let mut rng = training_stream(1);
        let naive: Vec<Example> = (0..32_000)
            .map(|_| {
                loop {
                    let e = task.generate(&mut rng);
                    if !test_prompts.contains(e.prompt()) {
                        break e;
                    }
                }
            })
            .collect();
        let naive_share = positive_share(&naive, eq);
        println!(
            "positive share: generator {generator:.3}, test {test_share:.3}, training {train_share:.3} ({} redraws), unconditional redraw {naive_share:.3}",
            stream.redrawn()
        );
        assert!(
            test_share - naive_share > 0.08,
            "unconditional redraw {naive_share:.3} vs test {test_share:.3}"
        );
    }

    #[test]
    fn a_resumed_stream_continues_where_it_stopped() {
        let task = TaskSpec::new(TaskKind::Lis, 5).build().unwrap();
        let test = held_out(task.as_ref(), 3, 32);
        let mut whole = TrainingStream::new(3, &test);
        let first: Vec<Example> = (0..50).map(|_| whole.next_example(task.as_ref())).collect();
        let position = whole.position();
        let rest: Vec<Example> = (0..50).map(|_| whole.next_example(task.as_ref())).collect();
        let mut resumed = TrainingStream::resume(3, &test, position);
        let again: Vec<Example> = (0..50)
            .map(|_| resumed.next_example(task.as_ref()))
            .collect();
        assert_eq!(again, rest);
        assert_ne!(again, first);
        assert_eq!(resumed.position(), whole.position());
    }

    #[test]
    fn custom_data_holds_out_distinct_lines_per_seed_and_never_trains_on_them() {
        let text: String = (0..40)
            .map(|i| format!("{} {} => {}\n", i / 8, i % 8, i % 3))
            .collect();
        let data = CustomData::parse("d", &text).unwrap();
        let task = TaskSpec::custom(std::sync::Arc::new(data)).build().unwrap();
        // A quarter at most: 10 of 40, even when 128 are asked for.
        let test = held_out(task.as_ref(), 1, 128);
        assert_eq!(test.len(), 10);
        assert_eq!(held_out(task.as_ref(), 1, 4).len(), 4);
        let prompts: HashSet<&[u32]> = test.iter().map(Example::prompt).collect();
        assert_eq!(prompts.len(), test.len(), "no line twice");
        // Deterministic per seed, different across seeds.
        assert_eq!(held_out(task.as_ref(), 1, 128), test);
        assert_ne!(held_out(task.as_ref(), 2, 128), test);
        // Training: every other line, never a held-out one, nothing leaked.
        let mut stream = TrainingStream::new(1, &test);
        let train: Vec<Example> = (0..2000)
            .map(|_| stream.next_example(task.as_ref()))
            .collect();
        assert!(train.iter().all(|e| !prompts.contains(e.prompt())));
        let trained: HashSet<&[u32]> = train.iter().map(Example::prompt).collect();
        assert_eq!(trained.len(), 30);
        assert_eq!(stream.leaked(), 0);
    }

    #[test]
    fn a_class_entirely_held_out_is_replaced_by_another_class_not_leaked() {
        // Equality at N = 1 and 2: tiny prompt spaces, a test set of 64 draws.
        for n in [1, 2] {
            let task = TaskSpec::new(TaskKind::Equality, n).build().unwrap();
            let test = held_out(task.as_ref(), 1, 64);
            let test_prompts: HashSet<Vec<u32>> =
                test.iter().map(|ex| ex.prompt().to_vec()).collect();
            let all_prompts = 1usize << (2 * n);
            let mut stream = TrainingStream::new(1, &test);
            let train: Vec<Example> = (0..400)
                .map(|_| stream.next_example(task.as_ref()))
                .collect();
            let in_test = train
                .iter()
                .filter(|ex| test_prompts.contains(ex.prompt()))
                .count();
            // Every test prompt trained on is counted, and there is none while any prompt
            // lies outside the test set.
            assert_eq!(in_test, stream.leaked(), "N = {n}");
            if test_prompts.len() < all_prompts {
                assert_eq!(in_test, 0, "N = {n}: {} test prompts", test_prompts.len());
            } else {
                assert_eq!(in_test, train.len(), "N = {n}");
            }
        }
    }
}
