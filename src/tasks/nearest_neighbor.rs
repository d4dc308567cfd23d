//! `nearest-neighbor`: `x_1 y_1 ; … ; x_k y_k <q> x` → the label `y_j` of the stored key
//! `x_j` nearest to `x` in Hamming distance. Keys are b-bit strings (bit tokens), labels one of
//! 16 tokens `A … P`; the generator guarantees a unique nearest key.

use super::error::malformed;
use super::{
    Example, Locality, Paper, ParamInfo, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng,
    Vocab,
};

pub const MAX_SIZE: usize = 64;
pub const LABELS: usize = 16;
pub const QUERY: &str = "<q>";

pub const BITS: ParamInfo = ParamInfo {
    name: "bits",
    meaning: "bit width b of the stored keys",
    min: 2,
    max: 16,
    default: 8,
};

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::NearestNeighbor,
    name: "nearest-neighbor",
    title: "Nearest neighbour",
    size_meaning: "number of stored pairs k",
    min_size: 1,
    max_size: MAX_SIZE,
    default_size: 8,
    chain_of_thought: false,
    paper: Paper::Separations,
    tests: "returning the label of the stored key nearest to a query",
    claim: "A 2-layer transformer of logarithmic width finds the nearest stored key in Hamming \
            distance; a recurrent model must remember every pair, so its state grows linearly \
            with their number.",
    params: &[BITS],
    locality: Locality::NoChain,
};

fn label(k: usize) -> String {
    ((b'A' + k as u8) as char).to_string()
}

fn hamming(a: &[bool], b: &[bool]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// The unique nearest key's index, or `None` on a tie.
fn nearest(keys: &[Vec<bool>], query: &[bool]) -> Option<usize> {
    let d: Vec<usize> = keys.iter().map(|k| hamming(k, query)).collect();
    let best = *d.iter().min()?;
    let mut at = d
        .iter()
        .enumerate()
        .filter(|(_, x)| **x == best)
        .map(|(i, _)| i);
    let first = at.next();
    if at.next().is_some() { None } else { first }
}

#[derive(Debug, Clone)]
pub struct NearestNeighbor {
    base: TaskBase,
    bits: usize,
}

impl NearestNeighbor {
    pub fn new(k: usize, bits: usize) -> Result<Self, TaskError> {
        INFO.check_size(k)?;
        BITS.check(INFO.name, bits)?;
        if k > 1usize << bits {
            return Err(TaskError::InvalidSize {
                task: INFO.name,
                size: k,
                reason: format!("only {} distinct {bits}-bit keys exist", 1usize << bits),
            });
        }
        let base = TaskBase::new(&INFO, k, Self::vocabulary(), |k| k * (bits + 2) + bits + 1)?;
        Ok(Self { base, bits })
    }

    /// `<pad> 0 1 ; <q> A … P`.
    pub fn vocabulary() -> Vocab {
        let marks = ["0", "1", ";", QUERY].map(String::from);
        Vocab::new(marks.into_iter().chain((0..LABELS).map(label)))
    }

    pub fn bits(&self) -> usize {
        self.bits
    }

    fn example_for(
        &self,
        keys: &[Vec<bool>],
        labels: &[usize],
        query: &[bool],
        j: usize,
    ) -> Example {
        let id = |t: &str| self.base.vocab.id(t).expect("token in vocabulary");
        let bit = |b: bool| id(if b { "1" } else { "0" });
        let mut prompt = Vec::new();
        let mut label_pos = Vec::new();
        for (i, (key, &y)) in keys.iter().zip(labels).enumerate() {
            if i > 0 {
                prompt.push(id(";"));
            }
            prompt.extend(key.iter().map(|&b| bit(b)));
            label_pos.push(prompt.len());
            prompt.push(id(&label(y)));
        }
        prompt.push(id(QUERY));
        prompt.extend(query.iter().map(|&b| bit(b)));
        Example::decision(prompt, id(&label(labels[j])), vec![label_pos[j]])
    }
}

impl Task for NearestNeighbor {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    /// Distinct random keys, random labels, and a random query redrawn until its nearest key
    /// is unique (after 64 draws: a stored key with no bit changed, which is unique).
    fn generate(&self, rng: &mut TaskRng) -> Example {
        let (k, b) = (self.base.size, self.bits);
        let draw = |rng: &mut TaskRng| (0..b).map(|_| rng.chance(1, 2)).collect::<Vec<bool>>();
        let mut keys: Vec<Vec<bool>> = Vec::with_capacity(k);
        while keys.len() < k {
            let key = draw(rng);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let labels: Vec<usize> = (0..k).map(|_| rng.index(LABELS)).collect();
        let mut query = draw(rng);
        let mut tries = 1;
        let j = loop {
            if let Some(j) = nearest(&keys, &query) {
                break j;
            }
            if tries >= 64 {
                let j = rng.index(k);
                query = keys[j].clone();
                break j;
            }
            query = draw(rng);
            tries += 1;
        };
        self.example_for(&keys, &labels, &query, j)
    }

    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let text: Vec<&str> = prompt.iter().map(|&t| self.base.vocab.text(t)).collect();
        let q = text
            .iter()
            .position(|&t| t == QUERY)
            .ok_or_else(|| malformed("expected `<q>` before the query key"))?;
        let bits = super::bit_string::parse_bits;
        let query = bits(&text[q + 1..])?;
        let b = query.len();
        if !(BITS.min..=BITS.max).contains(&b) {
            return Err(malformed(format!(
                "keys must have {} to {} bits, the query has {b}",
                BITS.min, BITS.max
            )));
        }
        let mut keys = Vec::new();
        let mut labels = Vec::new();
        for pair in text[..q].split(|&t| t == ";") {
            let [key @ .., y] = pair else {
                return Err(malformed("an empty pair between `;`"));
            };
            let key = bits(key)?;
            if key.len() != b {
                return Err(malformed(format!(
                    "a stored key has {} bits, the query {b}",
                    key.len()
                )));
            }
            let y = (0..LABELS)
                .find(|&l| label(l) == *y)
                .ok_or_else(|| malformed(format!("`{y}` is not a label A..P")))?;
            keys.push(key);
            labels.push(y);
        }
        if !(1..=MAX_SIZE).contains(&keys.len()) {
            return Err(malformed(format!(
                "expected 1 to {MAX_SIZE} stored pairs, found {}",
                keys.len()
            )));
        }
        let j = nearest(&keys, &query)
            .ok_or_else(|| malformed("two stored keys are equally near the query"))?;
        Ok(self.example_for(&keys, &labels, &query, j))
    }
}
