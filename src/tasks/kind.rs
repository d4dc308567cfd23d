//! The catalogue of tasks: names, size ranges, parameters, what each tests and which paper
//! it comes from. This is what `lab task list` and the page's task gallery show.

use serde::{Deserialize, Serialize};

use super::{Locality, TaskError};

/// Every task of TASKS.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskKind {
    Arithmetic,
    Lis,
    Ed,
    IndexLookup,
    Dyck,
    Equality,
    Disjointness,
    NearestNeighbor,
    Majority,
    Parity,
}

/// The paper a task illustrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    /// Yang et al., ICML 2024 (formats from Feng et al. 2023).
    EfficientTransformers,
    /// Bhattamishra et al. 2024.
    Separations,
    /// Merrill et al. 2022.
    SaturatedTransformers,
}

impl Paper {
    pub fn citation(self) -> &'static str {
        match self {
            Self::EfficientTransformers => {
                "Yang et al. 2024, “Do Efficient Transformers Really Save Computation?”"
            }
            Self::Separations => {
                "Bhattamishra et al. 2024, “Separations in the Representational Capabilities of \
                 Transformers and Recurrent Architectures”"
            }
            Self::SaturatedTransformers => {
                "Merrill et al. 2022, “Saturated Transformers are Constant-Depth Threshold Circuits”"
            }
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Self::EfficientTransformers => "Yang et al. 2024",
            Self::Separations => "Bhattamishra et al. 2024",
            Self::SaturatedTransformers => "Merrill et al. 2022",
        }
    }
}

/// A parameter beyond size, with its validated range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamInfo {
    pub name: &'static str,
    pub meaning: &'static str,
    pub min: usize,
    pub max: usize,
    pub default: usize,
}

impl ParamInfo {
    /// `Ok(value)` when it is within the parameter's range.
    pub fn check(&self, task: &'static str, value: usize) -> Result<usize, TaskError> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(TaskError::ParamOutOfRange {
                task,
                name: self.name,
                value,
                min: self.min,
                max: self.max,
            })
        }
    }
}

/// Static facts about one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    pub kind: TaskKind,
    pub name: &'static str,
    pub title: &'static str,
    /// What "size" counts.
    pub size_meaning: &'static str,
    pub min_size: usize,
    pub max_size: usize,
    pub default_size: usize,
    /// Whether the model writes a chain of thought before the answer.
    pub chain_of_thought: bool,
    pub paper: Paper,
    /// One sentence: the capability the task probes.
    pub tests: &'static str,
    /// One paragraph: the paper's claim the task illustrates.
    pub claim: &'static str,
    pub params: &'static [ParamInfo],
    pub locality: Locality,
}

pub const BRACKETS: ParamInfo = ParamInfo {
    name: "brackets",
    meaning: "number of bracket types k",
    min: 1,
    max: 4,
    default: 2,
};
pub const DEPTH: ParamInfo = ParamInfo {
    name: "depth",
    meaning: "depth bound m",
    min: 1,
    max: 16,
    default: 2,
};
pub const BITS: ParamInfo = ParamInfo {
    name: "bits",
    meaning: "bit width b of the stored keys",
    min: 2,
    max: 16,
    default: 8,
};
pub const SYMBOLS: ParamInfo = ParamInfo {
    name: "symbols",
    meaning: "alphabet size of the stored sequence",
    min: 2,
    max: 16,
    default: 16,
};

const ALL: [TaskKind; 10] = [
    TaskKind::Arithmetic,
    TaskKind::Lis,
    TaskKind::Ed,
    TaskKind::IndexLookup,
    TaskKind::Dyck,
    TaskKind::Equality,
    TaskKind::Disjointness,
    TaskKind::NearestNeighbor,
    TaskKind::Majority,
    TaskKind::Parity,
];

impl TaskKind {
    pub fn all() -> &'static [TaskKind] {
        &ALL
    }

    pub fn names() -> Vec<&'static str> {
        ALL.iter().map(|k| k.name()).collect()
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Parse a task name as written in TASKS.md (`index-lookup`, `nearest-neighbor`, …).
    pub fn from_name(name: &str) -> Result<Self, TaskError> {
        let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
        ALL.iter()
            .copied()
            .find(|k| k.name() == wanted)
            .ok_or_else(|| TaskError::UnknownTask(name.to_string()))
    }

    pub fn locality(self) -> Locality {
        self.info().locality
    }

    pub fn info(self) -> TaskInfo {
        use Paper::*;
        let base =
            |name, title, size_meaning, (min_size, max_size, default_size), paper| TaskInfo {
                kind: self,
                name,
                title,
                size_meaning,
                min_size,
                max_size,
                default_size,
                chain_of_thought: false,
                paper,
                tests: "",
                claim: "",
                params: &[],
                locality: Locality::NoChain,
            };
        match self {
            Self::Arithmetic => TaskInfo {
                chain_of_thought: true,
                tests: "evaluating an expression mod 11 one operator per step",
                claim: "With chain of thought a constant-size transformer evaluates arithmetic \
                        expressions. Each step only rewrites the previous one, so the problem is \
                        local: Yang et al. show sparse attention solves it at constant width, \
                        unlike LIS and edit distance.",
                locality: Locality::PreviousStep,
                ..base(
                    "arithmetic",
                    "Arithmetic mod 11",
                    "number of operators",
                    (1, 12, 4),
                    EfficientTransformers,
                )
            },
            Self::Lis => TaskInfo {
                chain_of_thought: true,
                tests: "dynamic programming with global dependencies (longest increasing subsequence)",
                claim: "A transformer writing the DP row dp₁ … dpₙ solves LIS, but each cell may \
                        depend on any earlier one. Yang et al. prove sparse and linear \
                        transformers then need a hidden size growing with n (Ω(√L)): efficient \
                        attention saves no computation here.",
                locality: Locality::Global,
                ..base(
                    "lis",
                    "Longest increasing subsequence",
                    "sequence length n",
                    (super::lis::MIN_SIZE, super::lis::MAX_SIZE, 5),
                    EfficientTransformers,
                )
            },
            Self::Ed => TaskInfo {
                chain_of_thought: true,
                tests: "dynamic programming over a 2-D table (edit distance)",
                claim: "The model writes the edit-distance table row by row. Every cell needs its \
                        upper neighbour a whole row back, so sparse and linear transformers need \
                        width growing with the string length (Yang et al.), while a standard \
                        transformer of fixed size suffices.",
                locality: Locality::PreviousRow,
                ..base(
                    "ed",
                    "Edit distance",
                    "length of the generating string",
                    (super::ed::MIN_SIZE, super::ed::MAX_SIZE, 6),
                    EfficientTransformers,
                )
            },
            Self::IndexLookup => TaskInfo {
                tests: "retrieving the symbol at a queried position",
                claim: "One attention layer of width O(log N) looks up position i directly; any \
                        recurrent model must carry the whole sequence in its state, Ω(N). \
                        Transformers stay accurate as N grows, RNNs of equal width fall.",
                params: &[SYMBOLS],
                ..base(
                    "index-lookup",
                    "Index lookup",
                    "sequence length N",
                    (2, super::index_lookup::MAX_SIZE, 32),
                    Separations,
                )
            },
            Self::Dyck => TaskInfo {
                tests: "recognising bounded-depth balanced brackets",
                claim: "Dyck words of bounded depth are recognised by a constant-size RNN (a \
                        finite automaton over the stack), while a one-layer transformer needs \
                        size linear in the length: here recurrence wins.",
                params: &[BRACKETS, DEPTH],
                ..base(
                    "dyck",
                    "Bounded Dyck",
                    "word length N (even)",
                    (2, super::dyck::MAX_SIZE, 16),
                    Separations,
                )
            },
            Self::Equality => TaskInfo {
                tests: "deciding whether two bit strings are equal",
                claim: "Two attention layers of logarithmic width compare x and y position by \
                        position; one-layer transformers and RNNs need width linear in N.",
                ..base(
                    "equality",
                    "String equality",
                    "string length N",
                    (1, super::pair_bits::MAX_SIZE, 16),
                    Separations,
                )
            },
            Self::Disjointness => TaskInfo {
                tests: "deciding whether two sets (as bit strings) are disjoint",
                claim: "Like equality: a 2-layer log-width transformer decides disjointness, \
                        one-layer transformers and RNNs need linear size (a communication-\
                        complexity lower bound).",
                ..base(
                    "disjointness",
                    "Set disjointness",
                    "string length N",
                    (1, super::pair_bits::MAX_SIZE, 16),
                    Separations,
                )
            },
            Self::NearestNeighbor => TaskInfo {
                tests: "returning the label of the stored key nearest to a query",
                claim: "A 2-layer transformer of logarithmic width finds the nearest stored key \
                        in Hamming distance; a recurrent model must remember every pair, so its \
                        state grows linearly with their number.",
                params: &[BITS],
                ..base(
                    "nearest-neighbor",
                    "Nearest neighbour",
                    "number of stored pairs k",
                    (1, super::nearest_neighbor::MAX_SIZE, 8),
                    Separations,
                )
            },
            Self::Majority => TaskInfo {
                tests: "counting: are there more 1s than 0s?",
                claim: "A single saturated (uniform) attention head averages the bits and \
                        solves MAJORITY at any length; unique-hard attention is in AC⁰ and \
                        cannot count. Without positional encoding it generalises best.",
                ..base(
                    "majority",
                    "Majority",
                    "string length N (odd)",
                    (1, super::bit_string::MAX_SIZE, 21),
                    SaturatedTransformers,
                )
            },
            Self::Parity => TaskInfo {
                tests: "XOR of all bits: a contrast task",
                claim: "Parity is not computed by small-depth threshold circuits of this kind \
                        with simple attention patterns: neither hard nor saturated one-layer \
                        models solve it, a contrast to MAJORITY.",
                ..base(
                    "parity",
                    "Parity",
                    "string length N",
                    (1, super::bit_string::MAX_SIZE, 21),
                    SaturatedTransformers,
                )
            },
        }
    }
}

impl std::fmt::Display for TaskKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `Ok` when `n` is within the task's size range.
pub(crate) fn check_size(kind: TaskKind, n: usize) -> Result<(), TaskError> {
    let info = kind.info();
    if (info.min_size..=info.max_size).contains(&n) {
        Ok(())
    } else {
        Err(TaskError::SizeOutOfRange {
            task: info.name,
            size: n,
            min: info.min_size,
            max: info.max_size,
        })
    }
}
