//! Activation patching: which activations carry the information that decides the answer. Run
//! the model on a corrupted sequence, put back one activation of the clean sequence — the
//! residual stream entering layer `l` at position `p` — and measure how much of the clean
//! answer's lead comes back: with `LD = logit(clean answer) − logit(corrupt answer)` at the
//! position that predicts the answer, `(LD_patched − LD_corrupt) / (LD_clean − LD_corrupt)`
//! (1: this activation alone restores the clean answer's lead; 0: it carries nothing of it).
//! Both sequences are teacher-forced (prompt, chain of thought, answer) and of one length.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::Model;
use crate::train::TrainError;

/// What patching found on one clean / corrupted pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patching {
    pub clean: Vec<u32>,
    pub corrupt: Vec<u32>,
    pub clean_answer: u32,
    pub corrupt_answer: u32,
    /// `LD` on the clean and on the corrupted sequence.
    pub clean_difference: f64,
    pub corrupt_difference: f64,
    /// `recovered[l][p]`: the share of the lead restored by the clean residual entering layer
    /// `l` (0: the embedded input; the last: the final stream) at position `p`, for the
    /// positions before the answer's.
    pub recovered: Vec<Vec<f64>>,
}

/// Why a pair cannot be patched.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    #[error(
        "the clean and the corrupted sequence must have one length ({clean} and {corrupt} tokens)"
    )]
    Lengths { clean: usize, corrupt: usize },
    #[error(
        "both sequences end in the same answer ({0}): there is no lead to restore (corrupt the prompt so that the answer changes)"
    )]
    SameAnswer(String),
    #[error(
        "the model gives both answers the same lead on both sequences ({0:.3}): nothing to restore"
    )]
    NoDifference(f64),
    #[error(transparent)]
    Train(#[from] TrainError),
}

fn ids(seq: &[u32], device: &Device) -> Tensor<2, Int> {
    let v: Vec<i64> = seq.iter().map(|&x| i64::from(x)).collect();
    Tensor::<1, Int>::from_ints(v.as_slice(), device).reshape([1, seq.len()])
}

async fn read(t: Tensor<3>) -> Result<Vec<f32>, TrainError> {
    let n: usize = t.dims().iter().product();
    let data = t
        .reshape([n])
        .into_data_async()
        .await
        .map_err(|e| TrainError::Device(format!("{e:?}")))?;
    Ok(data.iter::<f32>().collect())
}

/// Patch every (layer, position) of `clean` into `corrupt` (whole sequences, answers last;
/// `describe` names a token for the errors).
pub async fn patch(
    model: &Model,
    clean: &[u32],
    corrupt: &[u32],
    describe: impl Fn(u32) -> String,
    device: &Device,
) -> Result<Patching, PatchError> {
    let t = clean.len();
    if t != corrupt.len() || t < 2 {
        return Err(PatchError::Lengths {
            clean: t,
            corrupt: corrupt.len(),
        });
    }
    let (good, bad) = (clean[t - 1], corrupt[t - 1]);
    if good == bad {
        return Err(PatchError::SameAnswer(describe(good)));
    }
    let at = t - 2;
    // The lead of the clean answer at the position that predicts the answer, per batch row.
    let lead = |logits: Vec<f32>, rows: usize| -> Vec<f64> {
        let v = logits.len() / (rows * t);
        (0..rows)
            .map(|r| {
                let row = &logits[(r * t + at) * v..(r * t + at + 1) * v];
                f64::from(row[good as usize]) - f64::from(row[bad as usize])
            })
            .collect()
    };
    let clean_stream = model
        .residual_stream(ids(clean, device))
        .map_err(TrainError::from)?;
    let corrupt_stream = model
        .residual_stream(ids(corrupt, device))
        .map_err(TrainError::from)?;
    let depth = clean_stream.len() - 1;
    let final_of = |s: &[Tensor<3>]| model.read_out(s[depth].clone());
    let clean_difference = lead(read(final_of(&clean_stream)).await?, 1)[0];
    let corrupt_difference = lead(read(final_of(&corrupt_stream)).await?, 1)[0];
    let span = clean_difference - corrupt_difference;
    if span.abs() < 1e-6 {
        return Err(PatchError::NoDifference(clean_difference));
    }
    // Row p of a batch: the corrupted stream with position p taken from the clean one.
    let rows = at + 1;
    let one_hot: Vec<f32> = (0..rows * t)
        .map(|n| f32::from(u8::from(n / t == n % t)))
        .collect();
    let mask = Tensor::<1>::from_floats(one_hot.as_slice(), device).reshape([rows, t, 1]);
    let mut recovered = Vec::with_capacity(depth + 1);
    for (layer, (good_x, bad_x)) in clean_stream.into_iter().zip(corrupt_stream).enumerate() {
        let d = good_x.dims()[2];
        let patched = bad_x.clone().expand([rows, t, d])
            + (good_x - bad_x).expand([rows, t, d]) * mask.clone().expand([rows, t, d]);
        let leads = lead(read(model.forward_from(layer, patched)).await?, rows);
        recovered.push(
            leads
                .into_iter()
                .map(|ld| (ld - corrupt_difference) / span)
                .collect(),
        );
    }
    Ok(Patching {
        clean: clean.to_vec(),
        corrupt: corrupt.to_vec(),
        clean_answer: good,
        corrupt_answer: bad,
        clean_difference,
        corrupt_difference,
        recovered,
    })
}
