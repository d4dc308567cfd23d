//! One task example: tokens split into prompt / CoT / answer, plus the DP trace of its CoT.

/// A DP table cell: `(i)` for 1-D tables such as LIS, `(i, j)` for 2-D tables such as ED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub i: usize,
    pub j: Option<usize>,
}

impl Cell {
    pub fn one(i: usize) -> Self {
        Self { i, j: None }
    }
}

/// What one CoT (or answer) token computes and what it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellTrace {
    /// The DP cell this token holds, if it is a DP value.
    pub cell: Option<Cell>,
    /// The cells this token's value depends on.
    pub deps: Vec<Cell>,
}

/// Which part of a sequence a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Prompt,
    Cot,
    Answer,
}

/// A full task sequence: `prompt ++ cot ++ answer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub tokens: Vec<u32>,
    pub prompt_len: usize,
    pub cot_len: usize,
    /// One entry per token after the prompt (CoT then answer).
    pub trace: Vec<CellTrace>,
}

impl Example {
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

    /// Grade a model's continuation (the tokens it produced after the prompt).
    pub fn grade(&self, generated: &[u32]) -> Grade {
        let reference = &self.tokens[self.prompt_len..];
        let first_wrong = (0..reference.len()).find(|&k| generated.get(k) != Some(&reference[k]));
        let answer_start = self.cot_len;
        let answer_correct = generated.len() >= reference.len()
            && generated[answer_start..reference.len()] == reference[answer_start..];
        Grade {
            exact: first_wrong.is_none(),
            answer_correct,
            first_wrong,
        }
    }
}

/// The verdict on one generated continuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grade {
    /// Every token after the prompt equals the reference.
    pub exact: bool,
    /// Only the final answer equals the reference.
    pub answer_correct: bool,
    /// Index (into the continuation) of the first wrong token, if any.
    pub first_wrong: Option<usize>,
}
