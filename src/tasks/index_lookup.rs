//! `index-lookup`: `s_1 … s_N <q> @i` → `s_i` (TASKS.md; index tokens count from 0).

use super::error::malformed;
use super::{
    Example, Locality, Paper, ParamInfo, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng,
    Vocab,
};

pub const MAX_SIZE: usize = 256;
/// The alphabet: 16 letters `a … p`.
pub const ALPHABET: usize = 16;
pub const QUERY: &str = "<q>";

pub const SYMBOLS: ParamInfo = ParamInfo {
    name: "symbols",
    meaning: "alphabet size of the stored sequence",
    min: 2,
    max: ALPHABET,
    default: ALPHABET,
};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::IndexLookup,
    name: "index-lookup",
    title: "Index lookup",
    size_meaning: "sequence length N",
    min_size: 2,
    max_size: MAX_SIZE,
    default_size: 32,
    chain_of_thought: false,
    paper: Paper::Separations,
    tests: "retrieving the symbol at a queried position",
    claim: "One attention layer of width O(log N) looks up position i directly; any recurrent \
            model must carry the whole sequence in its state, Ω(N). Transformers stay accurate \
            as N grows, RNNs of equal width fall.",
    params: &[SYMBOLS],
    locality: Locality::NoChain,
};

/// Index lookup at one length N, drawing symbols from the first `symbols` letters.
#[derive(Debug, Clone)]
pub struct IndexLookup {
    base: TaskBase,
    symbols: usize,
}

fn letter(k: usize) -> String {
    ((b'a' + k as u8) as char).to_string()
}

impl IndexLookup {
    pub fn new(n: usize, symbols: usize) -> Result<Self, TaskError> {
        let base = TaskBase::new(&INFO, n, Self::vocabulary(), |n| n + 3)?;
        SYMBOLS.check(INFO.name, symbols)?;
        Ok(Self { base, symbols })
    }

    /// `<pad> a … p <q> @0 … @255`: index tokens for the largest N, so one checkpoint can be
    /// tested at every length up to it.
    pub fn vocabulary() -> Vocab {
        let letters = (0..ALPHABET).map(letter);
        let indices = (0..MAX_SIZE).map(|i| format!("@{i}"));
        Vocab::new(letters.chain([QUERY.to_string()]).chain(indices))
    }

    fn example_for(&self, symbols: &[usize], index: usize) -> Example {
        let id = |t: &str| self.base.vocab.id(t).expect("token in vocabulary");
        let mut prompt: Vec<u32> = symbols.iter().map(|&s| id(&letter(s))).collect();
        prompt.push(id(QUERY));
        prompt.push(id(&format!("@{index}")));
        Example::decision(prompt, id(&letter(symbols[index])), vec![index])
    }
}

impl Task for IndexLookup {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    fn generate(&self, rng: &mut TaskRng) -> Example {
        let n = self.base.size;
        let symbols: Vec<usize> = (0..n).map(|_| rng.index(self.symbols)).collect();
        let index = rng.index(n);
        self.example_for(&symbols, index)
    }

    /// `@0 … @255` name positions `0 … 255`.
    fn position_tokens(&self) -> Option<(u32, usize)> {
        let first = self
            .base
            .vocab
            .id("@0")
            .expect("index tokens in the vocabulary");
        Some((first, MAX_SIZE))
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let text: Vec<&str> = prompt.iter().map(|&t| self.base.vocab.text(t)).collect();
        let [body @ .., q, index] = text.as_slice() else {
            return Err(malformed("expected `s_1 … s_N <q> @i`"));
        };
        if *q != QUERY {
            return Err(malformed("expected `<q>` before the index token"));
        }
        let symbols = body
            .iter()
            .map(|t| match t.as_bytes() {
                [c @ b'a'..=b'p'] => Ok((c - b'a') as usize),
                _ => Err(malformed(format!("`{t}` is not a symbol a..p"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(2..=MAX_SIZE).contains(&symbols.len()) {
            return Err(malformed(format!(
                "expected 2 to {MAX_SIZE} symbols, found {}",
                symbols.len()
            )));
        }
        let i = index
            .strip_prefix('@')
            .and_then(|d| d.parse::<usize>().ok())
            .ok_or_else(|| malformed(format!("`{index}` is not an index token @i")))?;
        if i >= symbols.len() {
            return Err(malformed(format!(
                "index @{i} is past the end of the {} symbols",
                symbols.len()
            )));
        }
        Ok(self.example_for(&symbols, i))
    }
}
