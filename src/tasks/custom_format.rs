//! The file format of a custom task ("your own data"): reading lines of `prompt => target`
//! (or JSON lines) into token texts, with caps on everything, and the typed, line-numbered
//! error of each way a file can be wrong. What the examples become (ids, the held-out split)
//! is [`super::custom`]'s.
//!
//! # Plain text (the default)
//!
//! ```text
//! # reverse three letters        <- a comment: the first non-blank character is `#`
//! a b c => c b a
//! x y z => z y x
//!                                <- blank lines are skipped
//! ```
//!
//! - One example per line: prompt tokens, the separator `=>`, target tokens.
//! - Tokens are separated by whitespace (spaces or tabs); a token is any run of other
//!   characters, at most [`MAX_TOKEN_BYTES`] bytes. `=>` must stand alone (spaces around it),
//!   so it can never be mistaken for a token: exactly one per line, with at least one token
//!   on each side. A token that *contains* `=>` (`a=>b`) is refused as a missing space.
//! - Reserved (never a data token): `=>` and the special tokens [`RESERVED`] (`<pad>`, `<q>`).
//! - Lines may end in `\r\n`.
//!
//! # JSON lines
//!
//! ```text
//! {"prompt": "a b c", "target": "c b a"}
//! {"prompt": ["x", "y", "z"], "target": ["z", "y", "x"]}
//! ```
//!
//! One object per line with exactly the keys `prompt` and `target`; each is a string (split on
//! whitespace) or an array of strings (one token each, no whitespace inside). Blank and `#`
//! lines are skipped here too; the token rules are those of the text format.
//!
//! The format is detected from the first example line: JSON lines when it parses as a JSON
//! object, plain text otherwise (a bracket prompt like `{ [ ] } => yes` is not JSON, so it
//! stays text).
//!
//! # Caps
//!
//! [`MAX_BYTES`] of input, [`MAX_EXAMPLES`] example lines, [`MAX_EXAMPLE_TOKENS`] tokens per
//! example (prompt + target), [`MAX_TOKEN_BYTES`] per token; the vocabulary cap is applied by
//! [`super::custom`]. Every cap is checked while reading, so memory stays proportional to
//! the (capped) input; each exceeded cap is an error naming its line.

use serde::Deserialize;

/// The separator between prompt and target in the text format.
pub const SEPARATOR: &str = "=>";
/// Tokens the model uses for itself: never data tokens.
pub const RESERVED: [&str; 2] = [super::vocab::PAD, QUERY];
/// The token that ends every prompt (as in the built-in classification tasks): the model
/// predicts the first target token from it.
pub const QUERY: &str = "<q>";
/// Input larger than this is refused before it is read (the page holds files in memory).
pub const MAX_BYTES: usize = 4 << 20;
/// Example lines (comments and blank lines do not count).
pub const MAX_EXAMPLES: usize = 20_000;
/// Tokens of one example, prompt and target together (the separator not counted).
pub const MAX_EXAMPLE_TOKENS: usize = 256;
/// Bytes of one token.
pub const MAX_TOKEN_BYTES: usize = 64;

/// What is wrong, without where (see [`DataError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the data is {bytes} bytes; at most {MAX_BYTES} bytes are read")]
    TooLarge { bytes: usize },
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error(
        "no `=>` between prompt and target (write `prompt => target`, tokens separated by spaces)"
    )]
    NoSeparator,
    #[error("more than one `=>` (the separator must appear once; it cannot be a token)")]
    SeveralSeparators,
    #[error(
        "`{0}` contains `=>`: put spaces around the separator (`=>` cannot be part of a token)"
    )]
    SeparatorInToken(String),
    #[error("the prompt is empty")]
    EmptyPrompt,
    #[error("the target is empty")]
    EmptyTarget,
    #[error("more than {MAX_EXAMPLE_TOKENS} tokens in one example (prompt and target together)")]
    TooManyTokens,
    #[error("the token `{0}…` is longer than {MAX_TOKEN_BYTES} bytes")]
    TokenTooLong(String),
    #[error("`{0}` is reserved for the model's own use and cannot be a data token")]
    Reserved(String),
    #[error("{0:?} is not one token: tokens in an array must be non-empty and contain no spaces")]
    BadArrayToken(String),
    #[error("not a JSON object {{\"prompt\": …, \"target\": …}} like the first example line ({0})")]
    Json(String),
    #[error("more than {MAX_EXAMPLES} examples")]
    TooManyExamples,
    #[error("a new token `{token}`, but the vocabulary already holds the maximum of {max} tokens")]
    VocabularyFull { token: String, max: usize },
    #[error("the same prompt as line {first} with another target (a prompt has one answer)")]
    Conflict { first: usize },
    #[error(
        "only {found} distinct examples; at least {min} are needed (a quarter at most is held out for testing)"
    )]
    TooFew { found: usize, min: usize },
    #[error("the token `{0}` is not in the stored vocabulary")]
    NotInVocabulary(String),
    #[error("the stored vocabulary lists `{0}` twice")]
    DuplicateToken(String),
}

/// Why data cannot be used as a custom task: what is wrong and, when one line is to blame,
/// its number (1-based, counting every line of the input, comments and blank lines too).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", .line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct DataError {
    pub line: Option<usize>,
    pub problem: Problem,
}

impl DataError {
    /// A problem of the whole input.
    pub fn whole(problem: Problem) -> Self {
        Self {
            line: None,
            problem,
        }
    }

    /// A problem of line `line` (1-based).
    pub fn at(line: usize, problem: Problem) -> Self {
        Self {
            line: Some(line),
            problem,
        }
    }
}

/// One example as read: token texts and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawExample<'a> {
    pub line: usize,
    pub prompt: Vec<std::borrow::Cow<'a, str>>,
    pub target: Vec<std::borrow::Cow<'a, str>>,
}

/// Which of the two formats a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Text,
    JsonLines,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text (prompt => target)",
            Self::JsonLines => "JSON lines",
        }
    }
}

/// Check the size and the encoding of raw bytes (the line of the first invalid byte is named).
pub fn text_of(bytes: &[u8]) -> Result<&str, DataError> {
    if bytes.len() > MAX_BYTES {
        return Err(DataError::whole(Problem::TooLarge { bytes: bytes.len() }));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        DataError::at(line, Problem::NotUtf8)
    })
}

/// Lines that hold an example: `(1-based line number, the line without its ending)`.
fn example_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with('#')
        })
}

/// The format of `text`, from its first example line (text when there is none).
pub fn detect(text: &str) -> Format {
    match example_lines(text).next() {
        Some((_, line)) if serde_json::from_str::<serde_json::Map<_, _>>(line).is_ok() => {
            Format::JsonLines
        }
        _ => Format::Text,
    }
}

/// Read every example of `text` (format detected), checking the caps on examples, tokens per
/// example and token length, and the token rules. Stops at the first bad line.
pub fn read(text: &str) -> Result<(Format, Vec<RawExample<'_>>), DataError> {
    if text.len() > MAX_BYTES {
        return Err(DataError::whole(Problem::TooLarge { bytes: text.len() }));
    }
    let format = detect(text);
    let mut examples = Vec::new();
    for (line, content) in example_lines(text) {
        if examples.len() == MAX_EXAMPLES {
            return Err(DataError::at(line, Problem::TooManyExamples));
        }
        let example = match format {
            Format::Text => text_line(content),
            Format::JsonLines => json_line(content),
        }
        .map_err(|problem| DataError::at(line, problem))?;
        let (prompt, target) = example;
        examples.push(RawExample {
            line,
            prompt,
            target,
        });
    }
    Ok((format, examples))
}

type Tokens<'a> = Vec<std::borrow::Cow<'a, str>>;

/// Check one token against the rules shared by both formats.
pub(super) fn check_token(token: &str) -> Result<(), Problem> {
    if token.len() > MAX_TOKEN_BYTES {
        let mut end = MAX_TOKEN_BYTES.min(16);
        while !token.is_char_boundary(end) {
            end -= 1;
        }
        return Err(Problem::TokenTooLong(token[..end].to_string()));
    }
    if token == SEPARATOR || RESERVED.contains(&token) {
        return Err(Problem::Reserved(token.to_string()));
    }
    if token.contains(SEPARATOR) {
        return Err(Problem::SeparatorInToken(token.to_string()));
    }
    Ok(())
}

/// Checked prompt and target tokens, at most [`MAX_EXAMPLE_TOKENS`] together.
fn checked<'a>(
    prompt: Tokens<'a>,
    target: Tokens<'a>,
) -> Result<(Tokens<'a>, Tokens<'a>), Problem> {
    if prompt.is_empty() {
        return Err(Problem::EmptyPrompt);
    }
    if target.is_empty() {
        return Err(Problem::EmptyTarget);
    }
    if prompt.len() + target.len() > MAX_EXAMPLE_TOKENS {
        return Err(Problem::TooManyTokens);
    }
    for token in prompt.iter().chain(&target) {
        check_token(token)?;
    }
    Ok((prompt, target))
}

/// Split on whitespace, refusing more than the cap as soon as it is passed (a long line costs
/// no more memory than a capped one).
fn split(text: &str) -> Result<Vec<&str>, Problem> {
    let mut tokens = Vec::new();
    for token in text.split_whitespace() {
        // The cap, plus one for a separator.
        if tokens.len() > MAX_EXAMPLE_TOKENS {
            return Err(Problem::TooManyTokens);
        }
        tokens.push(token);
    }
    Ok(tokens)
}

/// `prompt => target` (a stored example is read with this too).
pub(super) fn text_line(line: &str) -> Result<(Tokens<'_>, Tokens<'_>), Problem> {
    let tokens = split(line)?;
    let mut parts = tokens.split(|&t| t == SEPARATOR);
    let prompt = parts.next().unwrap_or_default();
    let Some(target) = parts.next() else {
        // A glued separator (`a=>b`) is the likelier mistake: say so.
        return Err(match tokens.iter().find(|t| t.contains(SEPARATOR)) {
            Some(t) => Problem::SeparatorInToken(t.to_string()),
            None => Problem::NoSeparator,
        });
    };
    if parts.next().is_some() {
        return Err(Problem::SeveralSeparators);
    }
    fn owned<'a>(tokens: &[&'a str]) -> Tokens<'a> {
        tokens.iter().map(|&t| t.into()).collect()
    }
    checked(owned(prompt), owned(target))
}

/// A prompt or target in JSON: whitespace-separated tokens, or an array of tokens.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonTokens {
    Text(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonExample {
    prompt: JsonTokens,
    target: JsonTokens,
}

fn json_tokens<'a>(tokens: JsonTokens) -> Result<Tokens<'a>, Problem> {
    match tokens {
        JsonTokens::Text(text) => Ok(split(&text)?
            .into_iter()
            .map(|t| t.to_string().into())
            .collect()),
        JsonTokens::List(list) => {
            if list.len() > MAX_EXAMPLE_TOKENS {
                return Err(Problem::TooManyTokens);
            }
            list.into_iter()
                .map(|t| {
                    if t.is_empty() || t.chars().any(char::is_whitespace) {
                        Err(Problem::BadArrayToken(t))
                    } else {
                        Ok(t.into())
                    }
                })
                .collect()
        }
    }
}

/// `{"prompt": …, "target": …}`.
fn json_line(line: &str) -> Result<(Tokens<'static>, Tokens<'static>), Problem> {
    let example: JsonExample =
        serde_json::from_str(line).map_err(|e| Problem::Json(e.to_string()))?;
    checked(json_tokens(example.prompt)?, json_tokens(example.target)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[std::borrow::Cow<'_, str>]) -> Vec<String> {
        tokens.iter().map(|t| t.to_string()).collect()
    }

    fn problem_at(text: &str) -> (Option<usize>, Problem) {
        let e = read(text).unwrap_err();
        (e.line, e.problem)
    }

    #[test]
    fn text_lines_comments_and_blank_lines() {
        let (format, examples) =
            read("# header\n\na b c => x\r\n   # indented comment\n  d\te =>  y z \n").unwrap();
        assert_eq!(format, Format::Text);
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[0].line, 3);
        assert_eq!(texts(&examples[0].prompt), ["a", "b", "c"]);
        assert_eq!(texts(&examples[0].target), ["x"]);
        assert_eq!(examples[1].line, 5);
        assert_eq!(texts(&examples[1].prompt), ["d", "e"]);
        assert_eq!(texts(&examples[1].target), ["y", "z"]);
    }

    #[test]
    fn json_lines_with_strings_and_arrays() {
        let text = "# c\n{\"prompt\": \"a b\", \"target\": \"x\"}\n\n{\"prompt\": [\"{\", \"}\"], \"target\": [\"yes\"]}\n";
        let (format, examples) = read(text).unwrap();
        assert_eq!(format, Format::JsonLines);
        assert_eq!(texts(&examples[1].prompt), ["{", "}"]);
        assert_eq!(examples[1].line, 4);
        // A bracket prompt in text format is not mistaken for JSON.
        assert_eq!(detect("{ [ ] } => yes\n"), Format::Text);
    }

    #[test]
    fn every_bad_line_names_its_number_and_problem() {
        let long = "t".repeat(MAX_TOKEN_BYTES + 1);
        let many = vec!["a"; MAX_EXAMPLE_TOKENS].join(" ");
        let cases: Vec<(String, usize, Problem)> = vec![
            ("a => x\nb c x\n".into(), 2, Problem::NoSeparator),
            ("a => x\n\nb => c => d\n".into(), 3, Problem::SeveralSeparators),
            ("a=>x\n".into(), 1, Problem::SeparatorInToken("a=>x".into())),
            ("a => x\nq =>b\n".into(), 2, Problem::SeparatorInToken("=>b".into())),
            ("=> x\n".into(), 1, Problem::EmptyPrompt),
            ("# c\na =>\n".into(), 2, Problem::EmptyTarget),
            (format!("a => x\n{many} => y\n"), 2, Problem::TooManyTokens),
            (format!("{long} => y\n"), 1, Problem::TokenTooLong("t".repeat(16))),
            ("a <q> => x\n".into(), 1, Problem::Reserved("<q>".into())),
            ("a => <pad>\n".into(), 1, Problem::Reserved("<pad>".into())),
            (
                "{\"prompt\": \"a\", \"target\": \"x\"}\n{\"prompt\": [\"a b\"], \"target\": \"x\"}\n"
                    .into(),
                2,
                Problem::BadArrayToken("a b".into()),
            ),
        ];
        for (text, line, problem) in cases {
            assert_eq!(problem_at(&text), (Some(line), problem), "{text:?}");
        }
        // JSON: a missing key, an extra key, a non-JSON line after a JSON first line.
        for (text, line) in [
            (
                "{\"prompt\": \"a\", \"target\": \"x\"}\n{\"prompt\": \"a\"}\n",
                2,
            ),
            ("{\"prompt\": \"a\", \"target\": \"x\", \"id\": 3}\n", 1),
            ("{\"prompt\": \"a\", \"target\": \"x\"}\n# ok\na => x\n", 3),
        ] {
            let (at, problem) = problem_at(text);
            assert_eq!(at, Some(line), "{text:?}");
            assert!(matches!(problem, Problem::Json(_)), "{problem:?}");
        }
    }

    #[test]
    fn caps_on_bytes_examples_and_encoding() {
        let big = "a => b\n".repeat(MAX_BYTES / 7 + 1);
        assert_eq!(
            read(&big).unwrap_err(),
            DataError::whole(Problem::TooLarge { bytes: big.len() })
        );
        assert_eq!(
            text_of(big.as_bytes()).unwrap_err().problem,
            Problem::TooLarge { bytes: big.len() }
        );
        let many = "a => b\n".repeat(MAX_EXAMPLES + 1);
        assert_eq!(
            problem_at(&many),
            (Some(MAX_EXAMPLES + 1), Problem::TooManyExamples)
        );
        let bytes = b"a => b\nc => d\ne \xff => f\n";
        assert_eq!(
            text_of(bytes).unwrap_err(),
            DataError::at(3, Problem::NotUtf8)
        );
        // The message names the line.
        assert_eq!(
            DataError::at(3, Problem::NotUtf8).to_string(),
            "line 3: not UTF-8 text"
        );
    }
}
