//! One task example: tokens split into prompt / CoT / answer, plus the DP trace of its CoT.

use serde::{Deserialize, Serialize};

/// A DP table cell: `(i)` for 1-D tables such as LIS, `(i, j)` for 2-D tables such as ED.
/// Arithmetic uses `(step, token index within the step)`, step 0 being the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cell {
    pub i: usize,
    pub j: Option<usize>,
}

impl Cell {
    pub fn one(i: usize) -> Self {
        Self { i, j: None }
    }

    pub fn two(i: usize, j: usize) -> Self {
        Self { i, j: Some(j) }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.j {
            Some(j) => write!(f, "({}, {j})", self.i),
            None => write!(f, "{}", self.i),
        }
    }
}

/// What one CoT (or answer) token computes and what it reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CellTrace {
    /// The DP cell this token holds, if it is a DP value.
    pub cell: Option<Cell>,
    /// The cells this token's value depends on.
    pub deps: Vec<Cell>,
    /// Positions (into the whole sequence) of the tokens this token's value is computed from:
    /// the dependency cells that are written out, or for the classification tasks the input
    /// tokens that decide the answer (e.g. the looked-up symbol in index lookup).
    pub dep_positions: Vec<usize>,
}

impl CellTrace {
    /// A token that depends on nothing in particular (a separator).
    pub fn none() -> Self {
        Self::default()
    }
}

/// Which part of a sequence a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Segment {
    Prompt,
    Cot,
    Answer,
}

/// A full task sequence: `prompt ++ cot ++ answer`.
/// Serialisable: the training session sends held-out examples and inspections to the page as
/// JSON (from a Web Worker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub tokens: Vec<u32>,
    pub prompt_len: usize,
    pub cot_len: usize,
    /// One entry per token after the prompt (CoT then answer).
    pub trace: Vec<CellTrace>,
}

impl Example {
    /// Assemble an example from its three parts and the trace of the CoT + answer tokens.
    pub fn from_parts(
        prompt: Vec<u32>,
        cot: &[u32],
        answer: &[u32],
        trace: Vec<CellTrace>,
    ) -> Self {
        debug_assert_eq!(trace.len(), cot.len() + answer.len());
        let prompt_len = prompt.len();
        let mut tokens = prompt;
        tokens.extend_from_slice(cot);
        tokens.extend_from_slice(answer);
        Self {
            tokens,
            prompt_len,
            cot_len: cot.len(),
            trace,
        }
    }

    /// A classification example: the prompt and one answer token, no chain of thought.
    /// `decisive` lists the prompt positions that decide the answer (for the attention view).
    pub fn decision(prompt: Vec<u32>, answer: u32, decisive: Vec<usize>) -> Self {
        let trace = vec![CellTrace {
            cell: None,
            deps: vec![],
            dep_positions: decisive,
        }];
        Self::from_parts(prompt, &[], &[answer], trace)
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn prompt(&self) -> &[u32] {
        &self.tokens[..self.prompt_len]
    }

    pub fn cot(&self) -> &[u32] {
        &self.tokens[self.prompt_len..self.prompt_len + self.cot_len]
    }

    pub fn answer(&self) -> &[u32] {
        &self.tokens[self.prompt_len + self.cot_len..]
    }

    /// Segment of the token at `pos`.
    pub fn segment(&self, pos: usize) -> Segment {
        if pos < self.prompt_len {
            Segment::Prompt
        } else if pos < self.prompt_len + self.cot_len {
            Segment::Cot
        } else {
            Segment::Answer
        }
    }

    /// Loss mask over positions: `true` for CoT and answer tokens (never the prompt).
    pub fn loss_mask(&self) -> Vec<bool> {
        (0..self.len()).map(|p| p >= self.prompt_len).collect()
    }

    /// The trace entry of the token at `pos` (`None` inside the prompt).
    pub fn trace_at(&self, pos: usize) -> Option<&CellTrace> {
        pos.checked_sub(self.prompt_len)
            .and_then(|k| self.trace.get(k))
    }

    /// How far back (in tokens) the farthest dependency of any CoT/answer token lies: a
    /// measure of the task's locality on this example (`0` when nothing is traced).
    pub fn dependency_reach(&self) -> usize {
        self.trace
            .iter()
            .enumerate()
            .flat_map(|(k, t)| {
                let pos = self.prompt_len + k;
                t.dep_positions.iter().map(move |&d| pos.saturating_sub(d))
            })
            .max()
            .unwrap_or(0)
    }

    /// Grade a model's continuation (the tokens it produced after the prompt).
    pub fn grade(&self, generated: &[u32]) -> Grade {
        let reference = &self.tokens[self.prompt_len..];
        let first_wrong = (0..reference.len()).find(|&k| generated.get(k) != Some(&reference[k]));
        let answer_start = self.cot_len;
        let answer_correct = generated.len() >= reference.len()
            && generated[answer_start..reference.len()] == reference[answer_start..];
        let first_wrong_cell = (0..reference.len())
            .filter(|&k| self.trace.get(k).is_some_and(|t| t.cell.is_some()))
            .find(|&k| generated.get(k) != Some(&reference[k]))
            .and_then(|k| self.trace[k].cell);
        Grade {
            exact: first_wrong.is_none(),
            answer_correct,
            first_wrong,
            first_wrong_cell,
        }
    }
}

/// The verdict on one generated continuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    /// Every token after the prompt equals the reference.
    pub exact: bool,
    /// Only the final answer equals the reference.
    pub answer_correct: bool,
    /// Index (into the continuation) of the first wrong token, if any.
    pub first_wrong: Option<usize>,
    /// For DP tasks: the first DP cell whose value the model got wrong.
    pub first_wrong_cell: Option<Cell>,
}
