//! Teacher-forced evaluation: exact match of every CoT and answer token, one readback.

use burn::prelude::*;

use super::TrainError;
use super::batch::make_batch;
use super::held_out::held_out;
use super::yield_now::yield_now;
use crate::models::SequenceModel;
use std::collections::BTreeMap;

use crate::tasks::{Cell, Example};

/// Accuracy over a set of examples.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EvalReport {
    /// Fraction of examples whose every CoT and answer token is predicted correctly.
    pub exact: f32,
    /// Fraction whose final answer token is predicted correctly.
    pub answer: f32,
    pub examples: usize,
}

/// Counts of correct examples as fractions of `total` (0 for an empty set).
fn fractions<const N: usize>(counts: [usize; N], total: usize) -> [f32; N] {
    counts.map(|c| c as f32 / total.max(1) as f32)
}

/// Whether one example came out right: every CoT and answer token, and the answer alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExampleScore {
    pub exact: bool,
    pub answer: bool,
}

/// Shares of exact and answer-correct examples (0 for an empty set).
fn shares(scores: &[ExampleScore]) -> [f32; 2] {
    let exact = scores.iter().filter(|s| s.exact).count();
    let answer = scores.iter().filter(|s| s.answer).count();
    fractions([exact, answer], scores.len())
}

/// Evaluate `model` with teacher forcing: at each position after the prompt, the argmax of the
/// logits must equal the reference next token.
pub async fn teacher_forced<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<EvalReport, TrainError> {
    let [exact, answer] = shares(&teacher_forced_each(model, examples, device).await?);
    Ok(EvalReport {
        exact,
        answer,
        examples: examples.len(),
    })
}

/// Teacher-forced scores of every example, in order (what a bootstrap resamples).
pub async fn teacher_forced_each<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<Vec<ExampleScore>, TrainError> {
    // Chunks keep each piece of work short on the page's thread.
    const CHUNK: usize = 32;
    let mut scores = Vec::with_capacity(examples.len());
    for chunk in examples.chunks(CHUNK) {
        let batch = make_batch(chunk, device);
        let b = batch.inputs.dims()[0];
        let rows = batch.graded;
        let r = rows.as_slice().len();
        let predicted = model
            .forward_at(batch.inputs, &rows)?
            .argmax(2)
            .reshape([b, r]);
        let data = predicted
            .into_data_async()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        let predicted: Vec<i64> = data.iter::<i64>().collect();
        for (row, ex) in chunk.iter().enumerate() {
            let got = &predicted[row * r..(row + 1) * r];
            // Position p predicts token p + 1; graded positions are p + 1 >= prompt_len, up to
            // the example's own end (shorter examples are padded). Every one is a row read.
            let right = |p: usize| {
                rows.column(p)
                    .is_some_and(|c| got[c] == i64::from(ex.tokens[p + 1]))
            };
            let last = ex.len() - 1;
            scores.push(ExampleScore {
                exact: ((ex.prompt_len - 1)..last).all(right),
                answer: right(last - 1),
            });
        }
        yield_now().await;
    }
    Ok(scores)
}

/// Accuracy of free generation: the model continues each prompt greedily with its cached
/// decoder, reading its own tokens back (no teacher forcing).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GreedyReport {
    /// Fraction of examples whose whole generated CoT and answer equal the reference.
    pub full: f32,
    /// Fraction whose generated final answer equals the reference (whatever the CoT).
    pub answer: f32,
    pub examples: usize,
}

/// Greedy autoregressive generation with the cache, batched over examples that share a
/// prompt length; one small read per generated token and batch.
pub async fn greedy<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<GreedyReport, TrainError> {
    Ok(greedy_with_misses(model, examples, device).await?.0)
}

/// How often each DP cell comes out wrong in free generation over a held-out set: for each
/// cell the examples that write it and how many of them got its value wrong (the page's heat
/// map of where errors cluster). Empty for tasks without DP cells.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CellErrors {
    pub cells: Vec<CellErrorCount>,
}

/// One DP cell's tally over the held-out set.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CellErrorCount {
    pub cell: Cell,
    pub written: u32,
    pub wrong: u32,
}

impl CellErrors {
    /// The tally of every cell over `examples` and the continuations generated for them.
    fn tally(examples: &[Example], generated: &[Vec<u32>]) -> Self {
        let mut counts: BTreeMap<(usize, Option<usize>), CellErrorCount> = BTreeMap::new();
        for (ex, continuation) in examples.iter().zip(generated) {
            let reference = &ex.tokens[ex.prompt_len..];
            // A cell counts once per example, wrong if any of its tokens is.
            let mut this: BTreeMap<(usize, Option<usize>), (Cell, bool)> = BTreeMap::new();
            for (k, trace) in ex.trace.iter().enumerate().take(reference.len()) {
                if let Some(cell) = trace.cell {
                    let wrong = continuation.get(k) != Some(&reference[k]);
                    let entry = this.entry((cell.i, cell.j)).or_insert((cell, false));
                    entry.1 |= wrong;
                }
            }
            for (key, (cell, wrong)) in this {
                let count = counts.entry(key).or_insert(CellErrorCount {
                    cell,
                    written: 0,
                    wrong: 0,
                });
                count.written += 1;
                count.wrong += u32::from(wrong);
            }
        }
        Self {
            cells: counts.into_values().collect(),
        }
    }
}

/// [`greedy`], and what the page's chain-of-thought player shows of it: the indices of the
/// examples whose whole generated output is wrong (it browses them) and how often each DP
/// cell comes out wrong.
pub async fn greedy_with_misses<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<(GreedyReport, Vec<usize>, CellErrors), TrainError> {
    let generated = continuations(model, examples, device).await?;
    let scores = grade_all(examples, &generated);
    let [full, answer] = shares(&scores);
    let misses = (0..scores.len()).filter(|&i| !scores[i].exact).collect();
    Ok((
        GreedyReport {
            full,
            answer,
            examples: examples.len(),
        },
        misses,
        CellErrors::tally(examples, &generated),
    ))
}

/// Greedy scores of every example, in the order of `examples` (`exact`: the whole generated
/// CoT and answer equal the reference).
pub async fn greedy_each<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<Vec<ExampleScore>, TrainError> {
    let generated = continuations(model, examples, device).await?;
    Ok(grade_all(examples, &generated))
}

fn grade_all(examples: &[Example], generated: &[Vec<u32>]) -> Vec<ExampleScore> {
    examples
        .iter()
        .zip(generated)
        .map(|(ex, continuation)| {
            let grade = ex.grade(continuation);
            ExampleScore {
                exact: grade.exact,
                answer: grade.answer_correct,
            }
        })
        .collect()
}

/// What greedy generation writes after each example's prompt, up to the reference's length,
/// in the order of `examples`; batched over examples that share a prompt length.
async fn continuations<M: SequenceModel>(
    model: &M,
    examples: &[Example],
    device: &Device,
) -> Result<Vec<Vec<u32>>, TrainError> {
    const CHUNK: usize = 64;
    let mut by_prompt: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, ex) in examples.iter().enumerate() {
        by_prompt.entry(ex.prompt_len).or_default().push(i);
    }
    let mut generated = vec![Vec::new(); examples.len()];
    for group in by_prompt.values() {
        for chunk in group.chunks(CHUNK) {
            let prompts: Vec<&[u32]> = chunk.iter().map(|&i| examples[i].prompt()).collect();
            let end = chunk.iter().map(|&i| examples[i].len()).max().unwrap_or(0);
            let seqs = continue_greedily(model, &prompts, end, device).await?;
            for (&i, seq) in chunk.iter().zip(&seqs) {
                let ex = &examples[i];
                generated[i] = seq[ex.prompt_len..ex.len()].to_vec();
            }
        }
    }
    Ok(generated)
}

/// Continue prompts of one length greedily with the cached decoder until each sequence holds
/// `end` tokens; returns the whole sequences (prompt included). The prompts must be non-empty
/// and `end` must fit the model's context.
pub async fn continue_greedily<M: SequenceModel>(
    model: &M,
    prompts: &[&[u32]],
    end: usize,
    device: &Device,
) -> Result<Vec<Vec<u32>>, TrainError> {
    let b = prompts.len();
    let prompt_len = prompts.first().map_or(0, |p| p.len());
    debug_assert!(prompts.iter().all(|p| p.len() == prompt_len));
    let mut seqs: Vec<Vec<u32>> = prompts.iter().map(|p| p.to_vec()).collect();
    if b == 0 || prompt_len == 0 {
        return Ok(seqs);
    }
    let column = |seqs: &[Vec<u32>], p: usize| {
        let ids: Vec<i64> = seqs.iter().map(|s| i64::from(s[p])).collect();
        Tensor::<1, Int>::from_ints(ids.as_slice(), device)
    };
    let mut cache = model.init_cache(b, device);
    for p in 0..prompt_len - 1 {
        model.step(column(&seqs, p), &mut cache)?;
    }
    for p in prompt_len - 1..end.max(prompt_len) - 1 {
        let next = model
            .step(column(&seqs, p), &mut cache)?
            .argmax(1)
            .reshape([b])
            .into_data_async()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        for (seq, id) in seqs.iter_mut().zip(next.iter::<i64>()) {
            seq.push(u32::try_from(id).unwrap_or(0));
        }
        yield_now().await;
    }
    Ok(seqs)
}

/// Both evaluations of one model at one task size.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SizeReport {
    pub size: usize,
    pub teacher_forced: EvalReport,
    pub greedy: GreedyReport,
}

/// Evaluate `model` (trained with `train`) on `count` held-out examples of the same task at
/// `size`. At the trained size these are the examples the trainer held out (same seed and
/// stream); other sizes test length generalisation. Errors when the model's context is too
/// short for the size or the task's vocabulary differs at that size.
pub async fn at_size<M: SequenceModel>(
    model: &M,
    train: &super::TrainConfig,
    size: usize,
    count: usize,
    device: &Device,
) -> Result<SizeReport, TrainError> {
    let examples = held_out_at_size(train, size, count)?;
    Ok(SizeReport {
        size,
        teacher_forced: teacher_forced(model, &examples, device).await?,
        greedy: greedy(model, &examples, device).await?,
    })
}

/// The `count` held-out examples [`at_size`] evaluates on, once the model (trained with
/// `train`) can read the task at `size`.
pub fn held_out_at_size(
    train: &super::TrainConfig,
    size: usize,
    count: usize,
) -> Result<Vec<crate::tasks::Example>, TrainError> {
    let model_config = train.model()?;
    let spec = train.task.at_size(size);
    let task = spec.build()?;
    if task.max_seq_len() > model_config.max_len {
        return Err(TrainError::ContextTooShort {
            size,
            needed: task.max_seq_len(),
            context: model_config.max_len,
        });
    }
    if task.vocab().len() != model_config.vocab_size {
        return Err(TrainError::VocabularyAtSize {
            size,
            task: task.vocab().len(),
            model: model_config.vocab_size,
        });
    }
    Ok(held_out(task.as_ref(), train.seed, count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{TaskKind, TaskRng, TaskSpec};

    #[test]
    fn the_cell_tally_counts_each_written_cell_once_per_example() {
        // LIS of size 5 writes dp_1 … dp_5 in every example.
        let task = TaskSpec::new(TaskKind::Lis, 5).build().unwrap();
        let mut rng = TaskRng::new(7, 0);
        let examples: Vec<Example> = (0..3).map(|_| task.generate(&mut rng)).collect();
        let reference = |ex: &Example| ex.tokens[ex.prompt_len..].to_vec();
        fn cell_at(ex: &Example, n: usize) -> (usize, Option<Cell>) {
            let (k, t) = ex
                .trace
                .iter()
                .enumerate()
                .filter(|(_, t)| t.cell.is_some())
                .nth(n)
                .unwrap();
            (k, t.cell)
        }
        // The first example right; the second wrong at its second cell only; the third cut off
        // after its first cell (the cells it never wrote count as wrong).
        let mut wrong_once = reference(&examples[1]);
        let (k, second) = cell_at(&examples[1], 1);
        wrong_once[k] += 1;
        let (k0, _) = cell_at(&examples[2], 0);
        let cut = reference(&examples[2])[..=k0].to_vec();
        let tally = CellErrors::tally(&examples, &[reference(&examples[0]), wrong_once, cut]);
        assert_eq!(tally.cells.len(), 5, "{:?}", tally.cells);
        for c in &tally.cells {
            assert_eq!(c.written, 3, "{:?}", c.cell);
            let expected = u32::from(Some(c.cell) == second) + u32::from(c.cell.i > 1);
            assert_eq!(c.wrong, expected, "{:?}", c.cell);
        }
    }
}
