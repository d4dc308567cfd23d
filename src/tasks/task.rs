//! The one interface every task implements; the trainer and the UI only talk to this.

use super::{CustomData, Example, Locality, TaskError, TaskInfo, TaskKind, TaskRng, Vocab};

/// What every task instance holds whatever it is: its description, the size it generates
/// at, its vocabulary and its longest sequence.
#[derive(Debug, Clone)]
pub struct TaskBase {
    pub info: &'static TaskInfo,
    /// The size examples are generated at.
    pub size: usize,
    /// Fixed by the task and its maximum size (a checkpoint knows it).
    pub vocab: Vocab,
    /// The longest sequence (prompt + CoT + answer) this instance can generate.
    pub max_seq_len: usize,
}

impl TaskBase {
    /// The task at size `n`, once `n` is in the task's range; `max_seq_len` is computed from
    /// `n` only then (so a huge size is an error, not an overflow).
    pub fn new(
        info: &'static TaskInfo,
        n: usize,
        vocab: Vocab,
        max_seq_len: impl FnOnce(usize) -> usize,
    ) -> Result<Self, TaskError> {
        info.check_size(n)?;
        Ok(Self {
            info,
            size: n,
            vocab,
            max_seq_len: max_seq_len(n),
        })
    }
}

/// A task at one size with fixed parameters.
///
/// Generation is seeded and portable: the same `(task, size, params, seed)` gives the same
/// examples natively and in wasm. Solvers accept any well-formed prompt of the task (its size
/// is read from the prompt), so `lab task solve` needs no `--size`.
pub trait Task: std::fmt::Debug {
    /// The part every task shares; the accessors below read it.
    fn base(&self) -> &TaskBase;

    /// One random example.
    fn generate(&self, rng: &mut TaskRng) -> Example;

    /// The reference CoT and answer for a prompt given as token ids; an error value for a
    /// malformed prompt, never a panic.
    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError>;

    fn kind(&self) -> TaskKind {
        self.base().info.kind
    }

    /// The size examples are generated at.
    fn size(&self) -> usize {
        self.base().size
    }

    /// The vocabulary, fixed by the task and its maximum size (a checkpoint knows it).
    fn vocab(&self) -> &Vocab {
        &self.base().vocab
    }

    /// The longest sequence (prompt + CoT + answer) this instance can generate.
    fn max_seq_len(&self) -> usize {
        self.base().max_seq_len
    }

    /// Tokens that name positions: ids `first..first + count` stand for positions
    /// `0..count` (index lookup's `@i`), or `None`. A model may give them the position code
    /// ([`crate::models::ArchSpec::index_shares_position`]).
    fn position_tokens(&self) -> Option<(u32, usize)> {
        None
    }

    /// The length `n` of each half when the prompt is `x₀ … x_{n−1} | y₀ … y_{n−1} …` (the
    /// pair-bits tasks), or `None`. A model may give `xᵢ` and `yᵢ` a shared position code
    /// ([`crate::models::ArchSpec::pairs_share_position`]).
    fn paired_halves(&self) -> Option<usize> {
        None
    }

    /// The data of a task over a fixed list of examples (your own data), `None` for a
    /// generator. Held-out sets of such a task are drawn from its lines without replacement
    /// (`train::held_out`).
    fn dataset(&self) -> Option<&CustomData> {
        None
    }

    fn locality(&self) -> Locality {
        self.base().info.locality
    }

    /// [`Task::solve`] on space-separated text.
    fn solve_text(&self, prompt: &str) -> Result<Example, TaskError> {
        self.solve(&self.vocab().encode(prompt)?)
    }

    /// The example as space-separated text (the format of TASKS.md).
    fn render(&self, example: &Example) -> String {
        self.vocab().decode(&example.tokens)
    }

    /// `count` examples of the stream of `seed` (stream 0: what `lab task sample` prints).
    fn sample(&self, seed: u64, count: usize) -> Vec<Example> {
        let mut rng = TaskRng::new(seed, 0);
        (0..count).map(|_| self.generate(&mut rng)).collect()
    }
}
