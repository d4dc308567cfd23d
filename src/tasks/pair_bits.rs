//! The shared layout of `equality` and `disjointness`: `x | y <q>` with `x, y ∈ {0,1}^N`.

use std::marker::PhantomData;

use super::error::malformed;
use super::{Example, Task, TaskBase, TaskError, TaskInfo, TaskRng, Vocab};

pub const MAX_SIZE: usize = 128;
pub const QUERY: &str = "<q>";

/// What sets the two tasks apart: their answer words, which pair of bits `(x_i, y_i)`
/// witnesses the negative answer (its positions decide the answer), and how pairs are drawn.
pub trait PairRule: std::fmt::Debug {
    const INFO: &'static TaskInfo;
    /// The positive and the negative answer token.
    const ANSWERS: [&'static str; 2];
    fn witness(x: bool, y: bool) -> bool;
    /// A random pair `(x, y)` of length `n`.
    fn draw(n: usize, rng: &mut TaskRng) -> (Vec<bool>, Vec<bool>);
}

/// A task over `x | y <q>` at one length N, told apart by its rule.
#[derive(Debug, Clone)]
pub struct PairBits<R> {
    base: TaskBase,
    rule: PhantomData<R>,
}

impl<R: PairRule> PairBits<R> {
    pub fn new(n: usize) -> Result<Self, TaskError> {
        Ok(Self {
            base: TaskBase::new(R::INFO, n, Self::vocabulary(), |n| 2 * n + 3)?,
            rule: PhantomData,
        })
    }

    /// `<pad> 0 1 | <q>` followed by the two answer tokens (`eq`, `neq` or `yes`, `no`).
    pub fn vocabulary() -> Vocab {
        let [positive, negative] = R::ANSWERS;
        Vocab::new(["0", "1", "|", QUERY, positive, negative])
    }

    /// The example for `x` and `y`: negative with its witnesses as the deciding positions,
    /// else positive, decided by every position.
    fn example_for(&self, x: &[bool], y: &[bool]) -> Example {
        let [positive, negative] = R::ANSWERS;
        let vocab = &self.base.vocab;
        let witnesses: Vec<usize> = (0..x.len()).filter(|&i| R::witness(x[i], y[i])).collect();
        if witnesses.is_empty() {
            let all: Vec<usize> = (0..x.len()).collect();
            example(vocab, x, y, positive, &all)
        } else {
            example(vocab, x, y, negative, &witnesses)
        }
    }
}

impl<R: PairRule> Task for PairBits<R> {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        let (x, y) = R::draw(self.base.size, rng);
        self.example_for(&x, &y)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let (x, y) = parse(&self.base.vocab, prompt)?;
        Ok(self.example_for(&x, &y))
    }

    fn paired_halves(&self) -> Option<usize> {
        Some(self.base.size)
    }
}

/// Read `x | y <q>` into two bit strings of equal length.
pub fn parse(vocab: &Vocab, prompt: &[u32]) -> Result<(Vec<bool>, Vec<bool>), TaskError> {
    let text: Vec<&str> = prompt.iter().map(|&t| vocab.text(t)).collect();
    let [body @ .., q] = text.as_slice() else {
        return Err(malformed("empty prompt"));
    };
    if *q != QUERY {
        return Err(malformed("the prompt must end with <q>"));
    }
    let bar = body
        .iter()
        .position(|&t| t == "|")
        .ok_or_else(|| malformed("x and y must be separated by `|`"))?;
    let bits = super::bit_string::parse_bits;
    let (x, y) = (bits(&body[..bar])?, bits(&body[bar + 1..])?);
    if x.len() != y.len() {
        return Err(malformed(format!(
            "x has {} bits but y has {}",
            x.len(),
            y.len()
        )));
    }
    if !(1..=MAX_SIZE).contains(&x.len()) {
        return Err(malformed(format!(
            "expected 1 to {MAX_SIZE} bits per string, found {}",
            x.len()
        )));
    }
    Ok((x, y))
}

/// The example `x | y <q> answer`; `decisive` are positions *within x* (their partners in y
/// are added) that decide the answer.
pub fn example(vocab: &Vocab, x: &[bool], y: &[bool], answer: &str, decisive: &[usize]) -> Example {
    let bit = |b: bool| {
        vocab
            .id(if b { "1" } else { "0" })
            .expect("bit in vocabulary")
    };
    let mut prompt: Vec<u32> = x.iter().map(|&b| bit(b)).collect();
    prompt.push(vocab.id("|").expect("vocabulary has |"));
    prompt.extend(y.iter().map(|&b| bit(b)));
    prompt.push(vocab.id(QUERY).expect("vocabulary has <q>"));
    let n = x.len();
    let mut positions: Vec<usize> = decisive.to_vec();
    positions.extend(decisive.iter().map(|&i| n + 1 + i));
    Example::decision(
        prompt,
        vocab.id(answer).expect("answer in vocabulary"),
        positions,
    )
}
