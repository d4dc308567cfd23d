//! Equivalence checks every architecture must pass: cached decoding equals the full forward,
//! a pass read at a few positions equals those rows of the full forward, and no logit depends
//! on a later token. Shared by the tests, `lab model check` and the
//! browser tests (async reads, so they also run on WebGPU).

use burn::prelude::*;
use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{Model, ModelConfig, Rows, SequenceModel};

/// Largest |Δ| allowed between two computations of the same logits on the CPU.
pub const TOLERANCE: f32 = 1e-4;

/// What one check found.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    /// max |logit(step-by-step with cache) − logit(full forward)|.
    pub cached_vs_full: f32,
    /// max |logit(forward_at some positions) − the same rows of the full forward|.
    pub rows_vs_full: f32,
    /// max |Δ| of logits before a position when the token at that position changes.
    pub causality: f32,
    /// Largest number of key positions an attention cache held during decoding.
    pub max_positions_held: usize,
    /// Cache bytes after the last token.
    pub cache_bytes: usize,
}

impl CheckReport {
    pub fn passes(&self) -> bool {
        self.cached_vs_full <= TOLERANCE
            && self.rows_vs_full <= TOLERANCE
            && self.causality <= TOLERANCE
    }
}

async fn read<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, String> {
    t.into_data_async()
        .await
        .map_err(|e| format!("{e:?}"))
        .map(|d| d.iter::<f32>().collect())
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max)
}

/// Random token ids `[batch, len]` below `vocab`.
pub fn random_tokens(batch: usize, len: usize, vocab: usize, seed: u64) -> Vec<i64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..batch * len)
        .map(|_| rng.random_range(0..vocab as i64))
        .collect()
}

/// Run both checks on `model` over `batch` random sequences of `len` tokens.
pub async fn check_model(
    model: &Model,
    config: &ModelConfig,
    len: usize,
    seed: u64,
    device: &Device,
) -> Result<CheckReport, String> {
    let batch = 2;
    let v = config.vocab_size;
    let ids = random_tokens(batch, len, v, seed);
    let input = |ids: &[i64]| Tensor::<1, Int>::from_ints(ids, device).reshape([batch, len]);
    let full = read(model.forward(input(&ids)).map_err(|e| e.to_string())?).await?;

    let mut cache = model.init_cache(batch, device);
    let mut cached_vs_full = 0.0f32;
    let mut max_positions_held = 0;
    for t in 0..len {
        let column: Vec<i64> = (0..batch).map(|b| ids[b * len + t]).collect();
        let logits = model
            .step(
                Tensor::<1, Int>::from_ints(column.as_slice(), device),
                &mut cache,
            )
            .map_err(|e| e.to_string())?;
        let logits = read(logits).await?;
        for b in 0..batch {
            let row = &full[(b * len + t) * v..(b * len + t + 1) * v];
            cached_vs_full = cached_vs_full.max(max_diff(row, &logits[b * v..(b + 1) * v]));
        }
        let held = cache
            .layers
            .iter()
            .map(|l| l.positions_held())
            .max()
            .unwrap_or(0);
        max_positions_held = max_positions_held.max(held);
    }

    let rows_vs_full = rows_vs_full(model, &input(&ids), &full, len, v).await?;

    // Change the tokens from `cut` on; logits before `cut` must not move.
    let mut causality = 0.0f32;
    for cut in [1, len / 2, len - 1] {
        let mut changed = ids.clone();
        for b in 0..batch {
            for t in cut..len {
                changed[b * len + t] = (changed[b * len + t] + 1 + t as i64) % v as i64;
            }
        }
        let other = read(model.forward(input(&changed)).map_err(|e| e.to_string())?).await?;
        for b in 0..batch {
            let range = b * len * v..(b * len + cut) * v;
            causality = causality.max(max_diff(&full[range.clone()], &other[range]));
        }
    }
    Ok(CheckReport {
        cached_vs_full,
        rows_vs_full,
        causality,
        max_positions_held,
        cache_bytes: cache.bytes(),
    })
}

/// max |Δ| between [`SequenceModel::forward_at`] at the first, a middle and the last positions
/// and those rows of the full forward (`full`, `[B, len, v]` row-major).
async fn rows_vs_full(
    model: &Model,
    input: &Tensor<2, Int>,
    full: &[f32],
    len: usize,
    v: usize,
) -> Result<f32, String> {
    let rows = Rows::new([0, len / 2, len - 1], len).ok_or("no positions to read")?;
    let at = model
        .forward_at(input.clone(), &rows)
        .map_err(|e| e.to_string())?;
    let batch = at.dims()[0];
    let at = read(at).await?;
    let r = rows.as_slice().len();
    let mut worst = 0.0f32;
    for b in 0..batch {
        for (c, &p) in rows.as_slice().iter().enumerate() {
            let got = &at[(b * r + c) * v..(b * r + c + 1) * v];
            worst = worst.max(max_diff(
                got,
                &full[(b * len + p) * v..(b * len + p + 1) * v],
            ));
        }
    }
    Ok(worst)
}
