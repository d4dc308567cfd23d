//! The shared layout of `majority` and `parity`: `w <q>` with `w ∈ {0,1}^N` → `0`/`1`.

use super::error::malformed;
use super::{Example, TaskBase, TaskError, TaskInfo, TaskRng, Vocab};

pub const MAX_SIZE: usize = 1001;
pub const QUERY: &str = "<q>";

/// `<pad> 0 1 <q>`: the answer tokens are the bits themselves.
pub fn vocabulary() -> Vocab {
    Vocab::new(["0", "1", QUERY])
}

/// The shared part of a task over `w <q>` at length `n`.
pub fn base(info: &'static TaskInfo, n: usize) -> Result<TaskBase, TaskError> {
    TaskBase::new(info, n, vocabulary(), |n| n + 2)
}

/// Uniform random bits with a fair-coin label: `fix` turns a string whose `label_of` is the
/// wrong label into one with the right label.
pub fn generate(
    base: &TaskBase,
    rng: &mut TaskRng,
    label_of: fn(&[bool]) -> bool,
    fix: fn(&mut [bool], &mut TaskRng),
) -> Example {
    let label = rng.chance(1, 2);
    let mut bits: Vec<bool> = (0..base.size).map(|_| rng.chance(1, 2)).collect();
    if label_of(&bits) != label {
        fix(&mut bits, rng);
    }
    example(&base.vocab, &bits, label)
}

/// Read bit tokens `0`/`1` (shared by every task whose input is bits).
pub fn parse_bits(tokens: &[&str]) -> Result<Vec<bool>, TaskError> {
    tokens
        .iter()
        .map(|t| match *t {
            "0" => Ok(false),
            "1" => Ok(true),
            other => Err(malformed(format!("`{other}` is not a bit"))),
        })
        .collect()
}

/// Read `w <q>` into bits.
pub fn parse(vocab: &Vocab, prompt: &[u32]) -> Result<Vec<bool>, TaskError> {
    let text: Vec<&str> = prompt.iter().map(|&t| vocab.text(t)).collect();
    let [body @ .., q] = text.as_slice() else {
        return Err(malformed("empty prompt"));
    };
    if *q != QUERY {
        return Err(malformed("the prompt must end with <q>"));
    }
    let bits = parse_bits(body)?;
    if !(1..=MAX_SIZE).contains(&bits.len()) {
        return Err(malformed(format!(
            "expected 1 to {MAX_SIZE} bits, found {}",
            bits.len()
        )));
    }
    Ok(bits)
}

/// The example `w <q> label`; every bit decides the answer.
pub fn example(vocab: &Vocab, bits: &[bool], label: bool) -> Example {
    let bit = |b: bool| {
        vocab
            .id(if b { "1" } else { "0" })
            .expect("bit in vocabulary")
    };
    let mut prompt: Vec<u32> = bits.iter().map(|&b| bit(b)).collect();
    prompt.push(vocab.id(QUERY).expect("vocabulary has <q>"));
    Example::decision(prompt, bit(label), (0..bits.len()).collect())
}
