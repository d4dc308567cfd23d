//! Length generalisation: a model trained at one size, evaluated at sizes spaced log-evenly up
//! to the largest its context reads, by free generation (the answer and the whole chain of
//! thought). Several curves of one configuration that differ only in their seed become one
//! series with a bootstrap band over the seeds ([`by_seed`]).

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::bootstrap::{Share, pooled};
use crate::claims::construct;
use crate::models::SequenceModel;
use crate::train::TrainConfig;
use crate::train::checkpoint::CheckpointMeta;
use crate::train::eval::at_size;
use crate::train::yield_now::yield_now;

/// `n` sizes spaced log-evenly over the sizes the model can read (the task builds at that size
/// with the trained vocabulary, its sequences fit the context, a construction is valid there),
/// each the readable size nearest its target, plus the training size.
pub fn curve_sizes(meta: &CheckpointMeta, n: usize) -> Result<Vec<usize>, String> {
    let spec = &meta.train.task;
    let info = spec.task.info();
    let readable: Vec<usize> = (info.min_size..=info.max_size)
        .filter(|&size| {
            construct::check_size(meta, size).is_ok()
                && spec.at_size(size).build().is_ok_and(|task| {
                    task.max_seq_len() <= meta.model.max_len
                        && task.vocab().len() == meta.model.vocab_size
                })
        })
        .collect();
    let (Some(&low), Some(&high)) = (readable.first(), readable.last()) else {
        return Err("no size of this task fits the model's context".into());
    };
    let steps = n.max(2) - 1;
    let mut sizes: Vec<usize> = (0..=steps)
        .map(|k| {
            let target = (low as f64) * (high as f64 / low as f64).powf(k as f64 / steps as f64);
            *readable
                .iter()
                .min_by(|a, b| {
                    ((**a as f64) - target)
                        .abs()
                        .total_cmp(&((**b as f64) - target).abs())
                })
                .unwrap_or(&low)
        })
        .chain([spec.size])
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    Ok(sizes)
}

/// Free-generation accuracy at one size, with bootstrap intervals over its examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LengthPoint {
    pub size: usize,
    pub examples: usize,
    /// The whole generated continuation (chain of thought and answer) exact.
    pub full: Share,
    /// The answer exact.
    pub answer: Share,
}

/// One model's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LengthCurve {
    /// Where the model comes from (a run's name, a gallery model, a file).
    pub label: String,
    /// Its configuration: curves whose configurations differ only in the seed are one series.
    pub train: TrainConfig,
    pub points: Vec<LengthPoint>,
    /// Sizes that could not be evaluated, with the reason.
    pub skipped: Vec<(usize, String)>,
}

/// Evaluate `model` at each of `sizes` on `examples` held-out examples per size (an error at
/// one size is kept with its reason, not fatal).
pub async fn length_curve<M: SequenceModel>(
    model: &M,
    meta: &CheckpointMeta,
    label: String,
    sizes: &[usize],
    examples: usize,
    device: &Device,
) -> LengthCurve {
    let mut points = Vec::new();
    let mut skipped = Vec::new();
    for &size in sizes {
        yield_now().await;
        if let Err(reason) = construct::check_size(meta, size) {
            skipped.push((size, reason));
            continue;
        }
        match at_size(model, &meta.train, size, examples, device).await {
            Ok(report) => {
                let n = report.greedy.examples.max(1);
                let share = |rate: f64, key: u64| {
                    let hits = (rate * n as f64).round() as usize;
                    let items: Vec<(f64, f64)> = (0..n)
                        .map(|i| (f64::from(u8::from(i < hits)), 1.0))
                        .collect();
                    pooled(&items, key)
                };
                points.push(LengthPoint {
                    size,
                    examples: n,
                    full: share(f64::from(report.greedy.full), size as u64),
                    answer: share(f64::from(report.greedy.answer), size as u64 + 1_000_003),
                });
            }
            Err(e) => skipped.push((size, e.to_string())),
        }
    }
    LengthCurve {
        label,
        train: meta.train.clone(),
        points,
        skipped,
    }
}

/// One series of the length chart: the curves of one configuration (seeds apart), per size the
/// mean over seeds and a bootstrap band over seeds (one seed: its interval over examples).
#[derive(Debug, Clone, PartialEq)]
pub struct SeedSeries {
    pub label: String,
    pub seeds: Vec<u64>,
    /// The size the models were trained at.
    pub trained_size: usize,
    /// Per size: (size, answer accuracy over seeds, whole-continuation accuracy over seeds).
    pub points: Vec<(usize, Share, Share)>,
}

/// The configuration without its seed: what makes two curves replicates of one experiment.
fn without_seed(train: &TrainConfig) -> TrainConfig {
    TrainConfig {
        seed: 0,
        ..train.clone()
    }
}

/// Group `curves` by configuration (seeds apart), in the order they first appear.
pub fn by_seed(curves: &[LengthCurve]) -> Vec<SeedSeries> {
    let mut groups: Vec<(TrainConfig, Vec<&LengthCurve>)> = Vec::new();
    for curve in curves {
        let key = without_seed(&curve.train);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(curve),
            None => groups.push((key, vec![curve])),
        }
    }
    groups
        .into_iter()
        .map(|(_, members)| {
            let mut sizes: Vec<usize> = members
                .iter()
                .flat_map(|c| c.points.iter().map(|p| p.size))
                .collect();
            sizes.sort_unstable();
            sizes.dedup();
            let points = sizes
                .into_iter()
                .filter_map(|size| {
                    let at: Vec<&LengthPoint> = members
                        .iter()
                        .filter_map(|c| c.points.iter().find(|p| p.size == size))
                        .collect();
                    match at.as_slice() {
                        [] => None,
                        [one] => Some((size, one.answer, one.full)),
                        many => {
                            let over = |f: fn(&LengthPoint) -> f64, key: u64| {
                                let items: Vec<(f64, f64)> =
                                    many.iter().map(|p| (f(p), 1.0)).collect();
                                pooled(&items, key)
                            };
                            Some((
                                size,
                                over(|p| p.answer.estimate, size as u64),
                                over(|p| p.full.estimate, size as u64 + 7),
                            ))
                        }
                    }
                })
                .collect();
            let seeds: Vec<u64> = members.iter().map(|c| c.train.seed).collect();
            let first = members.first().map_or(String::new(), |c| c.label.clone());
            let label = if members.len() > 1 {
                format!("{first} and {} more (seeds {seeds:?})", members.len() - 1)
            } else {
                first
            };
            SeedSeries {
                label,
                seeds,
                trained_size: members.first().map_or(0, |c| c.train.task.size),
                points,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(size: usize, answer: f64) -> LengthPoint {
        let s = |x| Share {
            estimate: x,
            low: x - 0.05,
            high: x + 0.05,
        };
        LengthPoint {
            size,
            examples: 100,
            full: s(answer / 2.0),
            answer: s(answer),
        }
    }

    fn curve(seed: u64, steps: usize, answers: &[(usize, f64)]) -> LengthCurve {
        LengthCurve {
            label: format!("run {seed}"),
            train: TrainConfig {
                seed,
                steps,
                ..TrainConfig::default()
            },
            points: answers.iter().map(|&(n, a)| point(n, a)).collect(),
            skipped: Vec::new(),
        }
    }

    #[test]
    fn curves_that_differ_in_the_seed_only_are_one_series_with_a_band_over_seeds() {
        let curves = [
            curve(1, 100, &[(4, 1.0), (8, 0.6)]),
            curve(2, 100, &[(4, 1.0), (8, 0.2)]),
            curve(3, 200, &[(4, 0.9)]),
        ];
        let series = by_seed(&curves);
        assert_eq!(series.len(), 2, "two configurations");
        assert_eq!(series[0].seeds, vec![1, 2]);
        let (size, answer, _) = series[0].points[1];
        assert_eq!(size, 8);
        assert!((answer.estimate - 0.4).abs() < 1e-12);
        // The band over seeds spans the seeds' values, not the examples' intervals.
        assert!(answer.low <= 0.2 + 1e-12 && answer.high >= 0.6 - 1e-12);
        assert!(answer.high - answer.low > 0.3);
        // One seed keeps its interval over examples.
        assert_eq!(series[1].points[0].1.low, 0.9 - 0.05);
        assert!(series[1].label.starts_with("run 3"));
    }

    #[test]
    fn curve_sizes_are_log_spaced_within_the_context_and_include_the_training_size() {
        let train = TrainConfig::default();
        let meta = crate::train::checkpoint::meta_for(&train).unwrap();
        let sizes = curve_sizes(&meta, 6).unwrap();
        assert!(sizes.contains(&train.task.size), "{sizes:?}");
        assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
        let info = train.task.task.info();
        assert!(
            sizes
                .iter()
                .all(|&s| s >= info.min_size && s <= info.max_size)
        );
        for &s in &sizes {
            let task = train.task.at_size(s).build().unwrap();
            assert!(task.max_seq_len() <= meta.model.max_len, "size {s}");
        }
    }
}
