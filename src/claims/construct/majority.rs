//! MAJORITY by one uniform saturated head (Merrill et al., "Saturated Transformers are
//! Constant-Depth Threshold Circuits"): with Q = K = 0 every score ties, so saturated attention
//! at the `<q>` token averages the values of positions `0..=N`; the values are the bits' signs
//! (+1 for `1`, −1 for `0`, 0 for `<q>`), so the mean is `(#1 − #0)/(N + 1)` and the head
//! reads its sign. Hard attention on the same weights reads position 0 only: it answers the
//! first bit.
//!
//! Width 4, one layer, no positional encoding, MLP zeroed (the identity residual). Every
//! embedding is zero-mean — a bit is `±(1, −1, 0, 0)`, `<q>` is `(0, 0, 1, −1)` — so each
//! LayerNorm only rescales by a positive factor and keeps the sign of the `(1, −1, 0, 0)`
//! direction. The read-out weights are large because at N = 1001 the mean is ±1/1002.

use std::collections::BTreeMap;

use super::{Built, ConstructError, Construction, instance_of, zero_weights};
use crate::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::{TaskKind, TaskSpec, bit_string};

pub const CONSTRUCTION: Construction = Construction {
    name: "majority",
    task: TaskKind::Majority,
    claim: "One saturated attention head computes MAJORITY at every length; unique-hard \
            attention cannot (Merrill et al., Saturated Transformers are Constant-Depth \
            Threshold Circuits).",
    model: "1-layer standard transformer, width 4, one uniform saturated head (Q = K = 0)",
    min_size: 1,
    max_size: bit_string::MAX_SIZE,
    default_size: 1001,
    valid_sizes: super::ValidSizes::UpToBuilt,
    build,
};

/// The model's width: the sign direction `(1, −1)` and the `<q>` direction `(1, −1)`.
pub const WIDTH: usize = 4;
/// Read-out gain: the logit gap between `1` and `0` is about `4·√2·GAIN·|mean|`, ≈ 5.6 at
/// N = 1001.
const GAIN: f32 = 1000.0;
/// Logit bias of `<pad>` and `<q>`, so that they never win.
const NEVER: f32 = -1000.0;

const ATTENTION: &str = "layers.0.mixer.Softmax.projections";

fn build(size: usize) -> Result<Built, ConstructError> {
    let arch = ArchSpec {
        architecture: Architecture::Standard,
        d_model: WIDTH,
        n_layers: 1,
        n_heads: 1,
        attention: AttentionMode::Saturated,
        softmax_scale: 1.0,
        positional: PositionalEncoding::None,
        ..ArchSpec::default()
    };
    let train = instance_of(TaskSpec::new(TaskKind::Majority, size), arch);
    let (config, mut w) = zero_weights(&train)?;
    let vocab = bit_string::vocabulary();
    let id = |t: &str| {
        vocab
            .id(t)
            .map(|i| i as usize)
            .map_err(|e| ConstructError::Bug(e.to_string()))
    };
    let (zero, one, query) = (id("0")?, id("1")?, id(bit_string::QUERY)?);
    // Zero-mean embeddings; <pad> never occurs in a prompt and shares <q>'s.
    w.set_row("embedding.weight", one, 0, &[1.0, -1.0, 0.0, 0.0])?;
    w.set_row("embedding.weight", zero, 0, &[-1.0, 1.0, 0.0, 0.0])?;
    for token in [query, 0] {
        w.set_row("embedding.weight", token, 0, &[0.0, 0.0, 1.0, -1.0])?;
    }
    // Q = K = 0 (all zero already). After the first LayerNorm a bit is ±(√2, −√2, 0, 0), so
    // v₀ = (x₀ − x₁)/(2√2) is its sign and 0 at <q>.
    let half = 0.5 / std::f32::consts::SQRT_2;
    w.set(&format!("{ATTENTION}.value.weight"), &[0, 0], half)?;
    w.set(&format!("{ATTENTION}.value.weight"), &[1, 0], -half)?;
    // The mean sign m goes back into the residual as m·(1, −1, 0, 0).
    w.set(&format!("{ATTENTION}.output.weight"), &[0, 0], 1.0)?;
    w.set(&format!("{ATTENTION}.output.weight"), &[0, 1], -1.0)?;
    // The head reads the sign direction after the final LayerNorm.
    for (token, sign) in [(one, 1.0), (zero, -1.0)] {
        w.set("head.weight", &[0, token], sign * GAIN)?;
        w.set("head.weight", &[1, token], -sign * GAIN)?;
    }
    for token in [query, 0] {
        w.set("head.bias", &[token], NEVER)?;
    }
    let params = BTreeMap::from([
        ("size".to_string(), size.to_string()),
        ("width".to_string(), config.arch.d_model.to_string()),
        ("head".to_string(), "uniform (Q = K = 0)".to_string()),
        ("read-out gain".to_string(), GAIN.to_string()),
    ]);
    Ok(Built {
        train,
        weights: w,
        params,
    })
}
