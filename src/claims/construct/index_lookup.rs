//! Index lookup by one attention layer of logarithmic width (Bhattamishra et al.,
//! "Separations in the Representational Capabilities of Transformers and Recurrent
//! Architectures"): position `p` and the index token `@p` carry the same ±1 binary code of
//! `B = ⌈log₂ max_len⌉` bits, so `⟨code(i), code(j)⟩` is `B` at `j = i` and at most `B − 2`
//! elsewhere. The query reads the code of `@i`, the keys read the learned position codes, and
//! a large query gain makes the maximum win under softmax (and saturated and hard attention
//! alike); the value carries the letter, the head reads it.
//!
//! The residual stream is four blocks of ± pairs, so every vector is zero-mean and each
//! LayerNorm only rescales a position by a positive factor:
//! - letter: 4 bits of the letter `a … p` (8 dims),
//! - index: the code of `@i` (2B dims; zero elsewhere),
//! - position: the code of the position (2B dims, the learned position table),
//! - filler: `±2` on `<q>` and `<pad>` (2 dims), giving them a letter's norm so that no
//!   key outscores the right one through a smaller norm.
//!
//! Width `10 + 4B`: 30 at N = 16, 46 at N = 256.

use std::collections::BTreeMap;

use super::{Built, ConstructError, Construction, Weights, instance_of, zero_weights};
use crate::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::index_lookup::{ALPHABET, IndexLookup, MAX_SIZE, QUERY};
use crate::tasks::{TaskKind, TaskSpec};

pub const CONSTRUCTION: Construction = Construction {
    name: "index-lookup",
    task: TaskKind::IndexLookup,
    claim: "A one-layer transformer of width O(log N) solves index lookup; any RNN needs a \
            state of size Ω(N) (Bhattamishra et al., Separations in the Representational \
            Capabilities of Transformers and Recurrent Architectures).",
    model: "1-layer standard transformer, width 10 + 4⌈log₂(N + 3)⌉, one head, learned \
            positions sharing the ±1 code of the index tokens",
    min_size: 2,
    max_size: MAX_SIZE,
    default_size: 256,
    valid_sizes: super::ValidSizes::UpToBuilt,
    build,
};

/// Bits of a letter's code (16 letters).
const LETTER_BITS: usize = 4;
/// Softmax margin between the right key and the best wrong one (weights elsewhere ≤ N·e⁻⁴⁰).
const MARGIN: f32 = 40.0;
/// Read-out gain on the letter block.
const GAIN: f32 = 100.0;
/// Logit bias of every token that is not a letter.
const NEVER: f32 = -1000.0;

const ATTENTION: &str = "layers.0.mixer.Softmax.projections";

/// Where each block of the residual stream starts.
#[derive(Debug, Clone, Copy)]
struct Layout {
    bits: usize,
    index: usize,
    position: usize,
    filler: usize,
    width: usize,
}

impl Layout {
    fn new(bits: usize) -> Self {
        let index = 2 * LETTER_BITS;
        let position = index + 2 * bits;
        let filler = position + 2 * bits;
        Self {
            bits,
            index,
            position,
            filler,
            width: filler + 2,
        }
    }
}

/// `±1` code of `value` over `bits` bits, as ± pairs `(c, −c)`.
fn pairs(value: usize, bits: usize) -> Vec<f32> {
    (0..bits)
        .flat_map(|b| {
            let c = if value >> b & 1 == 1 { 1.0 } else { -1.0 };
            [c, -c]
        })
        .collect()
}

/// The LayerNorm factor `√(d / ‖x‖²)` of a zero-mean vector with `‖x‖² = norm2`.
fn ln_factor(width: usize, norm2: usize) -> f32 {
    (width as f32 / norm2 as f32).sqrt()
}

fn build(size: usize) -> Result<Built, ConstructError> {
    let max_len = size + 3;
    let bits = usize::BITS as usize - (max_len - 1).leading_zeros() as usize;
    let layout = Layout::new(bits);
    let arch = ArchSpec {
        architecture: Architecture::Standard,
        d_model: layout.width,
        n_layers: 1,
        n_heads: 1,
        attention: AttentionMode::Softmax,
        softmax_scale: 1.0,
        positional: PositionalEncoding::Learned,
        ..ArchSpec::default()
    };
    let train = instance_of(TaskSpec::new(TaskKind::IndexLookup, size), arch);
    let (config, mut w) = zero_weights(&train)?;
    embed(&mut w, layout, config.max_len)?;
    attend(&mut w, layout)?;
    read_out(&mut w)?;
    let params = BTreeMap::from([
        ("size".to_string(), size.to_string()),
        ("width".to_string(), layout.width.to_string()),
        ("code bits".to_string(), bits.to_string()),
        ("letter bits".to_string(), LETTER_BITS.to_string()),
    ]);
    Ok(Built {
        train,
        weights: w,
        params,
    })
}

/// Letters, index tokens, `<q>`/`<pad>` and the position table.
fn embed(w: &mut Weights, layout: Layout, max_len: usize) -> Result<(), ConstructError> {
    let vocab = IndexLookup::vocabulary();
    let id = |t: &str| {
        vocab
            .id(t)
            .map(|i| i as usize)
            .map_err(|e| ConstructError::Bug(e.to_string()))
    };
    for k in 0..ALPHABET {
        let letter = ((b'a' + k as u8) as char).to_string();
        w.set_row("embedding.weight", id(&letter)?, 0, &pairs(k, LETTER_BITS))?;
    }
    for i in 0..MAX_SIZE {
        let code = pairs(i, layout.bits);
        w.set_row(
            "embedding.weight",
            id(&format!("@{i}"))?,
            layout.index,
            &code,
        )?;
    }
    for token in [id(QUERY)?, 0] {
        w.set_row("embedding.weight", token, layout.filler, &[2.0, -2.0])?;
    }
    for p in 0..max_len {
        let code = pairs(p, layout.bits);
        w.set_row("positions.learned.weight", p, layout.position, &code)?;
    }
    Ok(())
}

/// Query = gain · code of `@i`, key = code of the position, value = the letter block.
fn attend(w: &mut Weights, layout: Layout) -> Result<(), ConstructError> {
    let d = layout.width;
    let bits = layout.bits;
    // After the first LayerNorm the query token (index + position codes) is scaled by
    // √(d / 4B), a letter by √(d / (8 + 2B)); scores are divided by √d.
    let query_ln = ln_factor(d, 4 * bits);
    let letter_ln = ln_factor(d, 2 * LETTER_BITS + 2 * bits);
    // A wrong key agrees in at most B − 1 bits: the score falls by 2·gain·(LN factors)/√d.
    let gain = MARGIN * (d as f32).sqrt() / (2.0 * query_ln * letter_ln);
    for b in 0..bits {
        for (offset, sign) in [(0, 0.5), (1, -0.5)] {
            let q = [layout.index + 2 * b + offset, b];
            w.set(&format!("{ATTENTION}.query.weight"), &q, sign * gain)?;
            let k = [layout.position + 2 * b + offset, b];
            w.set(&format!("{ATTENTION}.key.weight"), &k, sign)?;
        }
    }
    for l in 0..2 * LETTER_BITS {
        w.set(&format!("{ATTENTION}.value.weight"), &[l, l], 1.0)?;
        w.set(&format!("{ATTENTION}.output.weight"), &[l, l], 1.0)?;
    }
    Ok(())
}

/// The head scores each letter by its code against the letter block.
/// (The letter block is the first.)
fn read_out(w: &mut Weights) -> Result<(), ConstructError> {
    let vocab = IndexLookup::vocabulary();
    for token in 0..vocab.len() {
        let text = vocab.text(token as u32);
        let letter = match text.as_bytes() {
            [c @ b'a'..=b'p'] => Some((c - b'a') as usize),
            _ => None,
        };
        match letter {
            Some(k) => {
                for (dim, c) in pairs(k, LETTER_BITS).into_iter().enumerate() {
                    w.set("head.weight", &[dim, token], GAIN * c)?;
                }
            }
            None => w.set("head.bias", &[token], NEVER)?,
        }
    }
    Ok(())
}
