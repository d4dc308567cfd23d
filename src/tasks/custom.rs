//! `custom`: your own data as a task. A file of `prompt => target` lines (or JSON lines; the
//! format is [`super::custom_format`]'s) becomes a fixed list of examples over a vocabulary
//! built from the data, and then trains, evaluates and is inspected like any built-in task.
//!
//! - An example is `prompt tokens, <q>, target tokens`: the query token `<q>` ends every prompt
//!   (as in the built-in classification tasks), so the model knows where the prompt stops and
//!   predicts the first target token from it. The target is the answer (no chain of thought);
//!   targets may have several tokens and different lengths.
//! - The vocabulary: `<pad>` (id 0), `<q>` (id 1), then the data's tokens in order of first
//!   appearance, at most [`MAX_VOCAB`] of them.
//! - Identical lines count once (reported as duplicates); the same prompt with two different
//!   targets is an error naming both lines. So every prompt is distinct, and a held-out set of
//!   lines never repeats a line and never shares a prompt with training.
//! - The data lives in the task's spec ([`super::TaskSpec::data`], shared with `Arc`): a training
//!   config, and so a checkpoint or a stored run, carries it and is self-contained. Stored
//!   data is checked again when read back (caps, tokens, the vocabulary).
//! - Held out: `min(n, examples / 4)` lines per seed ([`CustomData::held_out_count`]); which
//!   ones is `train::held_out`'s (a seeded draw without replacement); training draws from
//!   the others. At least [`MIN_EXAMPLES`] distinct examples are needed.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::custom_format::{self, DataError, Format, Problem, QUERY, RawExample};
use super::error::malformed;
use super::{
    CellTrace, Example, Locality, Paper, Task, TaskBase, TaskError, TaskInfo, TaskKind, TaskRng,
    Vocab,
};

/// Distinct data tokens (besides `<pad>` and `<q>`).
pub const MAX_VOCAB: usize = 1024;
/// Distinct examples needed: a quarter (at least 2) held out, the rest (at least 6) trained on.
pub const MIN_EXAMPLES: usize = 8;
/// Characters of a data set's name kept.
pub const MAX_NAME_CHARS: usize = 120;

pub const INFO: TaskInfo = TaskInfo {
    kind: TaskKind::Custom,
    name: "custom",
    title: "Your own data",
    size_meaning: "none: the data fixes the lengths (always 1)",
    min_size: 1,
    max_size: 1,
    default_size: 1,
    chain_of_thought: false,
    paper: Paper::NoPaper,
    tests: "whatever your examples ask: the target of each prompt",
    claim: "No paper's claim: your own lines of `prompt => target`, a vocabulary built from \
            them and a held-out quarter (at most) to test on. Train and inspect it like any \
            other task.",
    params: &[],
    locality: Locality::Untraced,
};

/// One example: `prompt ++ [<q>] ++ target` as ids.
#[derive(Clone, PartialEq, Eq)]
struct Line {
    tokens: Vec<u32>,
    /// Prompt tokens including `<q>`.
    prompt_len: usize,
}

/// A data set: distinct examples over their own vocabulary. Built by [`CustomData::parse`]
/// (from a file) or read back from a stored spec.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomData {
    name: String,
    format: Format,
    vocab: Vocab,
    lines: Vec<Line>,
    duplicates: usize,
    max_seq_len: usize,
    fingerprint: u64,
}

impl std::fmt::Debug for CustomData {
    // The examples can be thousands of lines: a debug print names the data instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomData")
            .field("name", &self.name)
            .field("examples", &self.lines.len())
            .field("vocabulary", &self.vocab.len())
            .field("fingerprint", &self.fingerprint_hex())
            .finish()
    }
}

/// How many lines a run trains and tests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub train: usize,
    pub test: usize,
}

/// Where the vocabulary comes from: built from the data, or stored with it (its order fixes
/// the ids a checkpoint was trained with).
enum VocabFrom {
    Data,
    Stored(Vocab),
}

/// FNV-1a 64: a stable fingerprint on every platform and version (std's hasher is not).
fn fnv1a64(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl CustomData {
    /// Read a file's bytes (size and UTF-8 checked first). `name` is how it is shown (the
    /// file name).
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Self, DataError> {
        Self::parse(name, custom_format::text_of(bytes)?)
    }

    /// Read text in either format (see [`super::custom_format`]).
    pub fn parse(name: &str, text: &str) -> Result<Self, DataError> {
        let (format, raw) = custom_format::read(text)?;
        Self::build(name, format, raw, VocabFrom::Data)
    }

    fn build(
        name: &str,
        format: Format,
        raw: Vec<RawExample<'_>>,
        vocab_from: VocabFrom,
    ) -> Result<Self, DataError> {
        let stored = matches!(vocab_from, VocabFrom::Stored(_));
        let mut vocab = match vocab_from {
            VocabFrom::Data => Vocab::new([QUERY]),
            VocabFrom::Stored(v) => v,
        };
        let query = vocab.id(QUERY).expect("the vocabulary starts with <q>");
        let mut lines: Vec<Line> = Vec::with_capacity(raw.len());
        // Prompt ids → (line number, index into `lines`): duplicates and conflicts.
        let mut seen = std::collections::HashMap::<Vec<u32>, (usize, usize)>::new();
        let mut duplicates = 0;
        for ex in raw {
            let mut id = |token: &str| -> Result<u32, DataError> {
                if let Ok(id) = vocab.id(token) {
                    return Ok(id);
                }
                if stored {
                    return Err(DataError::at(
                        ex.line,
                        Problem::NotInVocabulary(token.to_string()),
                    ));
                }
                if vocab.len() - 2 == MAX_VOCAB {
                    return Err(DataError::at(
                        ex.line,
                        Problem::VocabularyFull {
                            token: token.to_string(),
                            max: MAX_VOCAB,
                        },
                    ));
                }
                Ok(vocab.push(token))
            };
            let prompt = ex
                .prompt
                .iter()
                .map(|t| id(t))
                .collect::<Result<Vec<_>, _>>()?;
            let target = ex
                .target
                .iter()
                .map(|t| id(t))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(&(first, k)) = seen.get(&prompt) {
                if lines[k].tokens[lines[k].prompt_len..] == target[..] {
                    duplicates += 1;
                    continue;
                }
                return Err(DataError::at(ex.line, Problem::Conflict { first }));
            }
            let prompt_len = prompt.len() + 1;
            seen.insert(prompt.clone(), (ex.line, lines.len()));
            let mut tokens = prompt;
            tokens.push(query);
            tokens.extend(target);
            lines.push(Line { tokens, prompt_len });
        }
        if lines.len() < MIN_EXAMPLES {
            return Err(DataError::whole(Problem::TooFew {
                found: lines.len(),
                min: MIN_EXAMPLES,
            }));
        }
        let mut data = Self {
            name: name.chars().take(MAX_NAME_CHARS).collect(),
            format,
            max_seq_len: lines.iter().map(|l| l.tokens.len()).max().unwrap_or(0),
            vocab,
            lines,
            duplicates,
            fingerprint: 0,
        };
        data.fingerprint = fnv1a64(data.canonical_lines().flat_map(|l| {
            let mut bytes = l.into_bytes();
            bytes.push(b'\n');
            bytes
        }));
        Ok(data)
    }

    /// The examples as `prompt => target` text lines (the stored form).
    pub fn canonical_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.lines.iter().map(|l| {
            let prompt = self.vocab.decode(&l.tokens[..l.prompt_len - 1]);
            let target = self.vocab.decode(&l.tokens[l.prompt_len..]);
            format!("{prompt} {} {target}", custom_format::SEPARATOR)
        })
    }

    /// How it is shown: the file name, or what the user called the pasted text.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The format the examples were read in (stored data reads back as text).
    pub fn format(&self) -> Format {
        self.format
    }

    /// Distinct examples.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Never true: data has at least [`MIN_EXAMPLES`] examples.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines dropped because they repeat an earlier line exactly.
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// `<pad>`, `<q>`, then the data's tokens.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The data's own tokens (the vocabulary without `<pad>` and `<q>`).
    pub fn data_tokens(&self) -> &[String] {
        &self.vocab.tokens()[2..]
    }

    /// The longest example: prompt, `<q>` and target.
    pub fn max_seq_len(&self) -> usize {
        self.max_seq_len
    }

    /// FNV-1a 64 of the canonical lines: the same examples in the same order give the same
    /// value whatever the file's format, comments or spacing. Links carry it instead of the
    /// data.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// [`Self::fingerprint`] as 16 hex digits.
    pub fn fingerprint_hex(&self) -> String {
        format!("{:016x}", self.fingerprint)
    }

    /// Example `i` (`None` past the end).
    pub fn example(&self, i: usize) -> Option<Example> {
        let line = self.lines.get(i)?;
        let (prompt, target) = line.tokens.split_at(line.prompt_len);
        let trace = vec![CellTrace::none(); target.len()];
        Some(Example::from_parts(prompt.to_vec(), &[], target, trace))
    }

    /// Lines held out for testing when `n` are asked for: at most a quarter of the data, so
    /// that three quarters are left to train on.
    pub fn held_out_count(&self, n: usize) -> usize {
        n.min(self.lines.len() / 4)
    }

    /// Lines trained and tested on when `n` test examples are asked for.
    pub fn split(&self, n: usize) -> Split {
        let test = self.held_out_count(n);
        Split {
            train: self.lines.len() - test,
            test,
        }
    }

    /// One line for people: examples, duplicates, vocabulary, lengths and the split at
    /// `eval_examples` (what `lab task show` and the page print).
    pub fn describe(&self, eval_examples: usize) -> String {
        let split = self.split(eval_examples);
        let duplicates = match self.duplicates {
            0 => String::new(),
            1 => " (1 repeated line dropped)".into(),
            d => format!(" ({d} repeated lines dropped)"),
        };
        format!(
            "{} examples{duplicates} · {} format · vocabulary {} tokens (+ <pad>, <q>) · sequences up to {} tokens · {} held out for testing, {} for training",
            self.len(),
            self.format.name(),
            self.data_tokens().len(),
            self.max_seq_len,
            split.test,
            split.train,
        )
    }
}

/// What a spec stores: the name, the vocabulary (its order fixes the ids) and the examples as
/// `prompt => target` lines.
#[derive(Serialize)]
struct StoredRef<'a> {
    name: &'a str,
    vocabulary: &'a [String],
    examples: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    name: String,
    vocabulary: Vec<String>,
    examples: Vec<String>,
}

impl Serialize for CustomData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StoredRef {
            name: &self.name,
            vocabulary: self.data_tokens(),
            examples: self.canonical_lines().collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for CustomData {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stored = Stored::deserialize(d)?;
        Self::from_stored(stored)
            .map_err(|e| serde::de::Error::custom(format!("stored custom data: {e}")))
    }
}

impl CustomData {
    /// Check stored data as strictly as a file: caps, token rules, the vocabulary. Line `k`
    /// of an error is stored example `k`.
    fn from_stored(stored: Stored) -> Result<Self, DataError> {
        if stored.vocabulary.len() > MAX_VOCAB {
            return Err(DataError::whole(Problem::VocabularyFull {
                token: stored.vocabulary[MAX_VOCAB].clone(),
                max: MAX_VOCAB,
            }));
        }
        if stored.examples.len() > custom_format::MAX_EXAMPLES {
            return Err(DataError::whole(Problem::TooManyExamples));
        }
        let mut seen = std::collections::HashSet::new();
        for token in &stored.vocabulary {
            custom_format::check_token(token).map_err(DataError::whole)?;
            if !seen.insert(token.as_str()) {
                return Err(DataError::whole(Problem::DuplicateToken(token.clone())));
            }
        }
        let vocab =
            Vocab::new(std::iter::once(QUERY).chain(stored.vocabulary.iter().map(String::as_str)));
        let raw = stored
            .examples
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let (prompt, target) =
                    custom_format::text_line(text).map_err(|p| DataError::at(i + 1, p))?;
                Ok(RawExample {
                    line: i + 1,
                    prompt,
                    target,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        Self::build(&stored.name, Format::Text, raw, VocabFrom::Stored(vocab))
    }
}

/// The custom task: its data and the base every task has.
#[derive(Debug, Clone)]
pub struct Custom {
    base: TaskBase,
    data: Arc<CustomData>,
}

impl Custom {
    pub fn new(data: Arc<CustomData>) -> Result<Self, TaskError> {
        let base = TaskBase::new(&INFO, 1, data.vocab.clone(), |_| data.max_seq_len)?;
        Ok(Self { base, data })
    }
}

impl Task for Custom {
    fn base(&self) -> &TaskBase {
        &self.base
    }

    /// A uniformly drawn line (the trainer filters out the held-out ones).
    fn generate(&self, rng: &mut TaskRng) -> Example {
        let i = rng.index(self.data.len());
        self.data.example(i).expect("index within the data")
    }

    /// The target of a prompt of the data (with or without its final `<q>`); a prompt the
    /// data does not hold has no known answer.
    fn solve(&self, prompt: &[u32]) -> Result<Example, TaskError> {
        let query = self.base.vocab.id(QUERY)?;
        let prompt = prompt.strip_suffix(&[query]).unwrap_or(prompt);
        self.data
            .lines
            .iter()
            .position(|l| &l.tokens[..l.prompt_len - 1] == prompt)
            .and_then(|i| self.data.example(i))
            .ok_or_else(|| malformed("this prompt is not in the data (a custom task knows only the answers of its own lines)"))
    }

    fn dataset(&self) -> Option<&CustomData> {
        Some(self.data.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters(n: usize) -> String {
        (0..n)
            .map(|i| format!("{} {} => {}\n", i % 5, i / 5, (i * 7) % 3))
            .collect()
    }

    #[test]
    fn vocabulary_ids_duplicates_and_examples() {
        let text = format!("# data\n{}1 0 => 1\n", letters(10));
        let data = CustomData::parse("d.txt", &text).unwrap();
        assert_eq!(data.len(), 10);
        assert_eq!(data.duplicates(), 1);
        assert_eq!(&data.vocab().tokens()[..4], ["<pad>", "<q>", "0", "1"]);
        let ex = data.example(1).unwrap();
        assert_eq!(data.vocab().decode(ex.prompt()), "1 0 <q>");
        assert_eq!(data.vocab().decode(ex.answer()), "1");
        assert_eq!(ex.cot_len, 0);
        assert_eq!(data.max_seq_len(), 4);
        assert!(
            data.describe(128)
                .contains("10 examples (1 repeated line dropped)")
        );
        assert_eq!(data.split(128), Split { train: 8, test: 2 });
        assert_eq!(data.split(1), Split { train: 9, test: 1 });
    }

    #[test]
    fn conflicts_too_few_and_a_full_vocabulary_are_errors() {
        let e = CustomData::parse("d", &format!("{}\n0 0 => 2\n", letters(9))).unwrap_err();
        assert_eq!(e, DataError::at(11, Problem::Conflict { first: 1 }));
        assert_eq!(
            e.to_string(),
            "line 11: the same prompt as line 1 with another target (a prompt has one answer)"
        );
        let e = CustomData::parse("d", &letters(7)).unwrap_err();
        assert_eq!(e, DataError::whole(Problem::TooFew { found: 7, min: 8 }));
        let wide: String = (0..MAX_VOCAB / 2 + 1)
            .map(|i| format!("p{i} => t{i}\n"))
            .collect();
        let e = CustomData::parse("d", &wide).unwrap_err();
        assert_eq!(e.line, Some(MAX_VOCAB / 2 + 1));
        assert!(matches!(e.problem, Problem::VocabularyFull { .. }), "{e}");
    }

    #[test]
    fn same_examples_same_fingerprint_whatever_the_format() {
        let text = letters(12);
        let json: String = text
            .lines()
            .map(|l| {
                let (p, t) = l.split_once(" => ").unwrap();
                format!("{{\"prompt\": \"{p}\", \"target\": [\"{t}\"]}}\n")
            })
            .collect();
        let a = CustomData::parse("a", &text).unwrap();
        let b = CustomData::parse("b", &format!("# comment\n\n{json}")).unwrap();
        assert_eq!(b.format(), Format::JsonLines);
        assert_eq!(a.fingerprint(), b.fingerprint());
        let c = CustomData::parse("c", &letters(13)).unwrap();
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn stored_data_reads_back_equal_and_is_checked() {
        // JSON lines allow a first prompt token starting with `#` (a comment in text files);
        // the stored lines are read one by one, so it survives.
        let json_lines: String = letters(10)
            .lines()
            .chain(["#a b => c"])
            .map(|l| {
                let (p, t) = l.split_once(" => ").unwrap();
                format!("{{\"prompt\": \"{p}\", \"target\": \"{t}\"}}\n")
            })
            .collect();
        let data = CustomData::parse("d.txt", &json_lines).unwrap();
        assert_eq!(data.len(), 11);
        let json = serde_json::to_string(&data).unwrap();
        let back: CustomData = serde_json::from_str(&json).unwrap();
        assert_eq!(back.vocab(), data.vocab());
        assert_eq!(back.fingerprint(), data.fingerprint());
        assert_eq!(back.name(), "d.txt");
        // An edited file: a token missing from the stored vocabulary, a reserved token.
        let edited = json.replace("\"0 0 => 0\"", "\"0 0 => zz\"");
        let e = serde_json::from_str::<CustomData>(&edited).unwrap_err();
        assert!(
            e.to_string()
                .contains("line 1: the token `zz` is not in the stored vocabulary"),
            "{e}"
        );
        let edited = json.replace("\"vocabulary\":[\"0\"", "\"vocabulary\":[\"<q>\"");
        let e = serde_json::from_str::<CustomData>(&edited).unwrap_err();
        assert!(e.to_string().contains("reserved"), "{e}");
    }

    #[test]
    fn solve_answers_prompts_of_the_data_only() {
        let data = Arc::new(CustomData::parse("d", &letters(10)).unwrap());
        let task = Custom::new(data).unwrap();
        assert_eq!(task.render(&task.solve_text("3 1").unwrap()), "3 1 <q> 2");
        assert_eq!(
            task.render(&task.solve_text("3 1 <q>").unwrap()),
            "3 1 <q> 2"
        );
        assert!(matches!(
            task.solve_text("3 3"),
            Err(TaskError::Malformed(_))
        ));
        assert!(matches!(
            task.solve_text("9"),
            Err(TaskError::UnknownToken(_))
        ));
    }
}
