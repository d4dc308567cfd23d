//! Agreement with the algorithm, per attention head: does a head look where the task's
//! algorithm reads?
//!
//! Every task's trace names, for each predicted token, the positions its value is computed
//! from ([`crate::tasks::CellTrace::dep_positions`]: the looked-up symbol in index lookup, the
//! nearest key's label in nearest neighbour, the DP cells a CoT step reads). A token at
//! position `p` is predicted from the query at `p − 1`, so each head is scored on that row of
//! its attention, teacher-forced on the reference sequence:
//! - **mass**: the attention weight on the target positions;
//! - **arg-max**: whether the most attended position is one of them.
//!
//! Each beside its *chance level*, the same score for uniform attention over the visible
//! prefix (`|targets| / (p)` for both), and with a bootstrap 95 % interval over examples. A
//! target set that covers the whole prefix (MAJORITY, PARITY, a correct Dyck word) makes
//! agreement equal to chance by design: such positions are counted apart and not scored.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::bootstrap::{Share, pooled};
use crate::models::SequenceModel;
use crate::tasks::Example;
use crate::train::TrainError;
use crate::train::inspect::{read_floats, trace_of};
use crate::train::yield_now::yield_now;

/// One head's agreement with the algorithm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadAgreement {
    pub layer: usize,
    pub head: usize,
    /// Mean attention weight on the target positions.
    pub mass: Share,
    /// Share of positions whose most attended key is a target.
    pub argmax: Share,
}

/// Every head of a model on a set of examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub heads: Vec<HeadAgreement>,
    /// Both scores of uniform attention over the visible prefix, on the same positions.
    pub chance: f64,
    /// Examples scored, and the predicted positions scored over all of them.
    pub examples: usize,
    pub positions: usize,
    /// Predicted positions whose target set is the whole visible prefix (not scored: any head
    /// agrees with them completely).
    pub whole_prefix: usize,
}

impl Agreement {
    /// The head with the highest mass (ties: the first).
    pub fn best(&self) -> Option<&HeadAgreement> {
        self.heads.iter().reduce(|a, b| {
            if b.mass.estimate > a.mass.estimate {
                b
            } else {
                a
            }
        })
    }
}

/// Why agreement cannot be measured.
#[derive(Debug, Clone, PartialEq)]
pub enum AgreementError {
    /// The model has no attention (an RNN or SSM).
    NoAttention,
    /// No predicted position of the examples names a proper subset of its prefix.
    NothingToScore {
        whole_prefix: usize,
    },
    Train(TrainError),
}

impl std::fmt::Display for AgreementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoAttention => write!(
                f,
                "this model has no attention layer (a recurrent or state-space model): \
                 agreement scores attention heads"
            ),
            Self::NothingToScore { whole_prefix } => write!(
                f,
                "the task's algorithm reads the whole prefix at every predicted position \
                 ({whole_prefix} positions): any attention agrees with it, so agreement would \
                 equal its chance level by design"
            ),
            Self::Train(e) => write!(f, "{e}"),
        }
    }
}

/// One scored position: the query row and its targets.
struct Scored {
    query: usize,
    targets: Vec<usize>,
}

/// The positions of `example` that can be scored, and how many read the whole prefix.
fn scored_positions(example: &Example) -> (Vec<Scored>, usize) {
    let mut scored = Vec::new();
    let mut whole = 0;
    for p in example.prompt_len.max(1)..example.len() {
        let Some(trace) = example.trace_at(p) else {
            continue;
        };
        let query = p - 1;
        let mut targets: Vec<usize> = trace
            .dep_positions
            .iter()
            .copied()
            .filter(|&t| t <= query)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        if targets.is_empty() {
            continue;
        }
        if targets.len() == query + 1 {
            whole += 1;
            continue;
        }
        scored.push(Scored { query, targets });
    }
    (scored, whole)
}

/// Per example: (positions, chance sum, per head (mass sum, arg-max hits)).
struct ExampleSums {
    positions: usize,
    chance: f64,
    heads: Vec<(f64, f64)>,
}

/// Score every head of `model` on `examples` (teacher-forced on the reference tokens).
pub async fn agreement<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<Agreement, AgreementError> {
    let mut sums = Vec::new();
    let mut whole_prefix = 0;
    let mut shape: Option<(usize, usize)> = None;
    for example in examples {
        let (scored, whole) = scored_positions(example);
        whole_prefix += whole;
        if scored.is_empty() {
            continue;
        }
        let t = example.len();
        let trace = trace_of(model, &example.tokens, device).map_err(AgreementError::Train)?;
        if trace.attention.is_empty() {
            return Err(AgreementError::NoAttention);
        }
        let n_heads = trace.attention[0].dims()[1];
        shape = Some((trace.attention.len(), n_heads));
        let mut heads = Vec::with_capacity(trace.attention.len() * n_heads);
        for weights in trace.attention {
            let flat = read_floats(weights).await.map_err(AgreementError::Train)?;
            for h in 0..n_heads {
                let matrix = &flat[h * t * t..(h + 1) * t * t];
                heads.push(head_sums(matrix, t, &scored));
            }
        }
        let chance = scored
            .iter()
            .map(|s| s.targets.len() as f64 / (s.query + 1) as f64)
            .sum();
        sums.push(ExampleSums {
            positions: scored.len(),
            chance,
            heads,
        });
        yield_now().await;
    }
    let Some((n_layers, n_heads)) = shape else {
        return Err(AgreementError::NothingToScore { whole_prefix });
    };
    let positions: usize = sums.iter().map(|s| s.positions).sum();
    let chance = sums.iter().map(|s| s.chance).sum::<f64>() / positions as f64;
    let mut heads = Vec::new();
    for layer in 0..n_layers {
        for head in 0..n_heads {
            let k = layer * n_heads + head;
            let key = (layer * 1000 + head) as u64;
            heads.push(HeadAgreement {
                layer,
                head,
                mass: pooled(&per_example(&sums, |s| s.heads[k].0), key),
                argmax: pooled(&per_example(&sums, |s| s.heads[k].1), key + 500),
            });
        }
    }
    Ok(Agreement {
        heads,
        chance,
        examples: examples.len(),
        positions,
        whole_prefix,
    })
}

/// (value, positions) of every example, for [`pooled`].
fn per_example(sums: &[ExampleSums], value: impl Fn(&ExampleSums) -> f64) -> Vec<(f64, f64)> {
    sums.iter()
        .map(|s| (value(s), s.positions as f64))
        .collect()
}

/// (mass on the targets, arg-max hits) summed over the scored rows of one head's `t × t`
/// matrix.
fn head_sums(matrix: &[f32], t: usize, scored: &[Scored]) -> (f64, f64) {
    let mut mass = 0.0;
    let mut hits = 0.0;
    for s in scored {
        let row = &matrix[s.query * t..s.query * t + s.query + 1];
        mass += s.targets.iter().map(|&k| f64::from(row[k])).sum::<f64>();
        // The first maximum: hard attention's own tie rule.
        let top = row
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (k, &w)| {
                if w > best.1 { (k, w) } else { best }
            })
            .0;
        if s.targets.binary_search(&top).is_ok() {
            hits += 1.0;
        }
    }
    (mass, hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{CellTrace, Example};

    fn example(prompt: usize, targets: Vec<usize>) -> Example {
        Example::from_parts(
            (0..prompt as u32).collect(),
            &[],
            &[0],
            vec![CellTrace {
                cell: None,
                deps: vec![],
                dep_positions: targets,
            }],
        )
    }

    #[test]
    fn the_query_is_the_position_before_the_prediction() {
        let (scored, whole) = scored_positions(&example(5, vec![2]));
        assert_eq!(whole, 0);
        assert_eq!(scored.len(), 1);
        assert_eq!((scored[0].query, scored[0].targets.clone()), (4, vec![2]));
    }

    #[test]
    fn a_target_set_covering_the_prefix_is_not_scored() {
        let (scored, whole) = scored_positions(&example(4, vec![0, 1, 2, 3]));
        assert!(scored.is_empty());
        assert_eq!(whole, 1);
    }

    #[test]
    fn a_head_on_the_target_scores_one_and_a_uniform_head_scores_chance() {
        let t = 5;
        let scored = vec![Scored {
            query: 4,
            targets: vec![2],
        }];
        let mut on_target = vec![0.0f32; t * t];
        on_target[4 * t + 2] = 1.0;
        assert_eq!(head_sums(&on_target, t, &scored), (1.0, 1.0));
        let mut uniform = vec![0.0f32; t * t];
        for k in 0..t {
            uniform[4 * t + k] = 0.2;
        }
        let (mass, hits) = head_sums(&uniform, t, &scored);
        assert!((mass - 0.2).abs() < 1e-6, "{mass}");
        // Ties go to the first maximum (position 0), not a target.
        assert_eq!(hits, 0.0);
    }
}
