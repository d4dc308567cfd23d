//! How far back a chain-of-thought step's dependencies reach: the property that decides
//! whether sparse/linear attention can work at constant width (Yang et al. 2024).

use serde::Serialize;

/// The locality class of a task's chain of thought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Locality {
    /// Each step reads only the previous step (arithmetic): the "local" class in which sparse
    /// attention works at constant width.
    PreviousStep,
    /// A DP cell reads a few neighbouring cells, one of them a whole row back (edit distance):
    /// the reach grows with the row length.
    PreviousRow,
    /// A DP cell may read any earlier cell (LIS): dependencies reach back the whole sequence.
    Global,
    /// No chain of thought: a single answer token.
    NoChain,
    /// Your own data: dependencies are whatever the data's are, and nothing traces them.
    Untraced,
}

impl Locality {
    pub fn describe(self) -> &'static str {
        match self {
            Self::PreviousStep => "local: each step depends only on the previous step",
            Self::PreviousRow => {
                "row-local: each cell depends on its left, upper and upper-left neighbours, \
                 so dependencies reach one row (|s₂| + 1 tokens) back"
            }
            Self::Global => "global: each cell may depend on any earlier cell",
            Self::NoChain => "no chain of thought: the answer is a single token",
            Self::Untraced => "not traced: the dependencies are those of your data",
        }
    }
}
