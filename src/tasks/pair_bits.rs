//! The shared layout of `equality` and `disjointness`: `x | y <q>` with `x, y ∈ {0,1}^N`.

use super::error::malformed;
use super::{Example, TaskBase, TaskError, TaskInfo, Vocab};

pub const MAX_SIZE: usize = 128;
pub const QUERY: &str = "<q>";

/// What sets the two tasks apart: their answer words and which pair of bits `(x_i, y_i)`
/// witnesses the negative answer (its position decides the answer).
pub struct Rule {
    pub positive: &'static str,
    pub negative: &'static str,
    pub witness: fn(bool, bool) -> bool,
}

impl Rule {
    /// `<pad> 0 1 | <q>` followed by the two answer tokens (`eq`, `neq` or `yes`, `no`).
    pub fn vocabulary(&self) -> Vocab {
        Vocab::new(["0", "1", "|", QUERY, self.positive, self.negative])
    }

    /// The shared part of the task at string length `n`.
    pub fn base(&self, info: &'static TaskInfo, n: usize) -> TaskBase {
        TaskBase {
            info,
            size: n,
            vocab: self.vocabulary(),
            max_seq_len: 2 * n + 3,
        }
    }

    /// The example for `x` and `y`: negative with its witnesses as the deciding positions,
    /// else positive, decided by every position.
    pub fn example_for(&self, vocab: &Vocab, x: &[bool], y: &[bool]) -> Example {
        let witnesses: Vec<usize> = (0..x.len())
            .filter(|&i| (self.witness)(x[i], y[i]))
            .collect();
        if witnesses.is_empty() {
            let all: Vec<usize> = (0..x.len()).collect();
            example(vocab, x, y, self.positive, &all)
        } else {
            example(vocab, x, y, self.negative, &witnesses)
        }
    }

    /// Read `x | y <q>` and answer it.
    pub fn solve(&self, vocab: &Vocab, prompt: &[u32]) -> Result<Example, TaskError> {
        let (x, y) = parse(vocab, prompt)?;
        Ok(self.example_for(vocab, &x, &y))
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
