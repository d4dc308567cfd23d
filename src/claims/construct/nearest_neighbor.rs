//! Nearest neighbour by a two-layer transformer whose width grows as O(log k) (Bhattamishra
//! et al., "Separations in the Representational Capabilities of Transformers and Recurrent
//! Architectures": a log-size two-layer transformer implements nearest neighbour; RNNs need
//! Ω(k)). Our prompt spells each b-bit key as b tokens, `x₁ y₁ ; … ; x_k y_k <q> x`, so the
//! first layer assembles every key (and the query) as a vector, which the paper gets as input:
//! 1. **Layer 1: b heads gather a key's bits.** The prompt is periodic with period `P = b + 2`
//!    (pair j fills block j, `<q>` takes the place of the last `;`, the query's bits are block
//!    k). Each position carries the ±1 codes of its block `p / P` and of its offset `p mod P`.
//!    Head `t` queries (code of its own block, code of offset t — the offset from a constant
//!    pair), keys are (block code, offset code): the bit at offset t of the same block scores
//!    `B_k + B_o`, every other key at most 2 less; a gain makes that 40 logits. Its value is
//!    the bit (±1), written to slot t. At the label `y_j` (offset b) the slots then hold key
//!    `x_j`; at the last token they hold the query `x`.
//! 2. **Layer 2: one head compares.** The last token queries its slots and a constant, the
//!    keys are the slots and a "label position" flag `s = ±1`: the score is
//!    `⟨x, x_j⟩ + (b + 1)s = b − 2·d_H(x, x_j) + b + 1` at labels (≥ 1) and at most −1 elsewhere,
//!    so the unique nearest key's label wins by 2 units (40 logits). The value is the label's
//!    4-bit code, and the head reads it like index lookup's.
//!
//! Both MLPs are zero. Every token's embedding has the same norm (a bit is `±(2, −2)`, a label
//! four ±1 pairs, `;`/`<q>` a `(2, −2)` filler pair) and so does every position's row, so the
//! first LayerNorm scales every query and key alike; all label positions have the same norm
//! before layer 2 as well (only their scores are compared to each other).
//!
//! Width: `b` heads of `d_h = max(⌈log₂(k + 1)⌉ + ⌈log₂(b + 2)⌉, b + 1, ⌈R/b⌉)` dims, where
//! `R = 2⌈log₂(k + 1)⌉ + 2b + 32` is what the residual stream needs: 72 at k ≤ 31, 80 at
//! k = 32, 88 at k = 64 for b = 8 (the task's default and the only b built). The learned
//! position table fixes the layout, so a checkpoint built for k reads prompts with k pairs.

use std::collections::BTreeMap;

use super::codes::{code_bits, ln_factor, pairs};
use super::{Built, ConstructError, Construction, Weights, instance_of, token, zero_weights};
use crate::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::nearest_neighbor::{BITS, LABELS, MAX_SIZE, NearestNeighbor, QUERY};
use crate::tasks::{TaskKind, TaskSpec, Vocab};

pub const CONSTRUCTION: Construction = Construction {
    name: "nearest-neighbor",
    task: TaskKind::NearestNeighbor,
    claim: "A two-layer transformer of size O(log k) returns the label of the stored key \
            nearest to the query; RNNs need size Ω(k) (Bhattamishra et al., Separations in the \
            Representational Capabilities of Transformers and Recurrent Architectures).",
    model: "2-layer standard transformer, b = 8 heads, width 8·max(9, ⌈log₂(k + 1)⌉ + 4) \
            (72 to 88), learned positions with block and offset codes",
    min_size: 1,
    max_size: MAX_SIZE,
    default_size: 64,
    valid_sizes: super::ValidSizes::UpToBuilt,
    build,
};

/// Key bits b: the task's default.
const KEY_BITS: usize = BITS.default;
/// Bits of a label's code (16 labels).
const LABEL_BITS: usize = 4;
/// Logit margin of the right key in both layers.
const MARGIN: f32 = 40.0;
/// Read-out gain on the label code.
const GAIN: f32 = 100.0;
/// Logit bias of every token that is not a label.
const NEVER: f32 = -1000.0;

/// Where each block of the residual stream starts (each block is ± pairs).
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Block-code and offset-code bits.
    block_bits: usize,
    offset_bits: usize,
    /// Token blocks: the bit `±(2, −2)`, the label code, the filler of `;`/`<q>`/`<pad>`.
    bit: usize,
    label: usize,
    filler: usize,
    /// Position blocks: a constant pair, block code, offset code, label-position flag.
    one: usize,
    block: usize,
    offset: usize,
    flag: usize,
    /// Layer 1 writes the gathered key bits here (one pair per bit), layer 2 the label code.
    slots: usize,
    found: usize,
    head_dim: usize,
    width: usize,
}

impl Layout {
    fn new(k: usize) -> Self {
        let b = KEY_BITS;
        let block_bits = code_bits(k + 1);
        let offset_bits = code_bits(b + 2);
        let bit = 0;
        let label = bit + 2;
        let filler = label + 2 * LABEL_BITS;
        let one = filler + 2;
        let block = one + 2;
        let offset = block + 2 * block_bits;
        let flag = offset + 2 * offset_bits;
        let slots = flag + 2;
        let found = slots + 2 * b;
        let used = found + 2 * LABEL_BITS;
        let head_dim = (block_bits + offset_bits).max(b + 1).max(used.div_ceil(b));
        Self {
            block_bits,
            offset_bits,
            bit,
            label,
            filler,
            one,
            block,
            offset,
            flag,
            slots,
            found,
            head_dim,
            width: b * head_dim,
        }
    }
}

/// The model width for `k` stored pairs (b = 8).
pub fn width(k: usize) -> usize {
    Layout::new(k).width
}

fn build(k: usize) -> Result<Built, ConstructError> {
    let layout = Layout::new(k);
    let arch = ArchSpec {
        architecture: Architecture::Standard,
        d_model: layout.width,
        n_layers: 2,
        n_heads: KEY_BITS,
        attention: AttentionMode::Softmax,
        softmax_scale: 1.0,
        positional: PositionalEncoding::Learned,
        ..ArchSpec::default()
    };
    let train = instance_of(TaskSpec::new(TaskKind::NearestNeighbor, k), arch);
    let (config, mut w) = zero_weights(&train)?;
    let vocab = NearestNeighbor::vocabulary();
    embed(&mut w, layout, &vocab, config.max_len)?;
    gather(&mut w, layout)?;
    compare(&mut w, layout)?;
    read_out(&mut w, layout, &vocab)?;
    let params = BTreeMap::from([
        ("size".to_string(), k.to_string()),
        ("bits".to_string(), KEY_BITS.to_string()),
        ("width".to_string(), layout.width.to_string()),
        ("heads".to_string(), KEY_BITS.to_string()),
        ("block code bits".to_string(), layout.block_bits.to_string()),
        (
            "offset code bits".to_string(),
            layout.offset_bits.to_string(),
        ),
    ]);
    Ok(Built {
        train,
        weights: w,
        params,
    })
}

fn label(l: usize) -> String {
    ((b'A' + l as u8) as char).to_string()
}

/// ‖x‖² of every token's embedding and of every position's row.
const TOKEN_NORM2: f32 = 8.0;

fn position_norm2(layout: Layout) -> f32 {
    (2 + 2 * layout.block_bits + 2 * layout.offset_bits + 2) as f32
}

/// Tokens on their blocks (all of norm² 8); positions: constant, block, offset, flag.
fn embed(
    w: &mut Weights,
    layout: Layout,
    vocab: &Vocab,
    max_len: usize,
) -> Result<(), ConstructError> {
    let table = "embedding.weight";
    for (text, sign) in [("1", 2.0), ("0", -2.0)] {
        w.set_row(table, token(vocab, text)?, layout.bit, &[sign, -sign])?;
    }
    for l in 0..LABELS {
        let code = pairs(l, LABEL_BITS);
        w.set_row(table, token(vocab, &label(l))?, layout.label, &code)?;
    }
    for t in [token(vocab, ";")?, token(vocab, QUERY)?, 0] {
        w.set_row(table, t, layout.filler, &[2.0, -2.0])?;
    }
    let period = KEY_BITS + 2;
    for p in 0..max_len {
        let table = "positions.learned.weight";
        let (block, offset) = (p / period, p % period);
        let flag = if offset == KEY_BITS { 1.0 } else { -1.0 };
        w.set_row(table, p, layout.one, &[1.0, -1.0])?;
        w.set_row(table, p, layout.block, &pairs(block, layout.block_bits))?;
        w.set_row(table, p, layout.offset, &pairs(offset, layout.offset_bits))?;
        w.set_row(table, p, layout.flag, &[flag, -flag])?;
    }
    Ok(())
}

/// Layer 1: head t reads the bit at offset t of the position's own block into slot t.
fn gather(w: &mut Weights, layout: Layout) -> Result<(), ConstructError> {
    let att = "layers.0.mixer.Softmax.projections";
    let f = ln_factor(layout.width, TOKEN_NORM2 + position_norm2(layout));
    // A score unit (one agreeing code bit) is gain·f²/√d_h; the margin is 2 units.
    let gain = MARGIN * (layout.head_dim as f32).sqrt() / (2.0 * f * f);
    for t in 0..KEY_BITS {
        let head = t * layout.head_dim;
        for b in 0..layout.block_bits {
            let out = head + b;
            let start = layout.block + 2 * b;
            for (offset, half) in [(0, 0.5), (1, -0.5)] {
                w.set(
                    &format!("{att}.query.weight"),
                    &[start + offset, out],
                    half * gain,
                )?;
                w.set(&format!("{att}.key.weight"), &[start + offset, out], half)?;
            }
        }
        let target = pairs(t, layout.offset_bits);
        for b in 0..layout.offset_bits {
            let out = head + layout.block_bits + b;
            let start = layout.offset + 2 * b;
            for (offset, half) in [(0, 0.5), (1, -0.5)] {
                // The query's target offset comes from the constant pair.
                let q = half * gain * target[2 * b];
                w.set(
                    &format!("{att}.query.weight"),
                    &[layout.one + offset, out],
                    q,
                )?;
                w.set(&format!("{att}.key.weight"), &[start + offset, out], half)?;
            }
        }
        // Value: the bit, (2s·f, −2s·f) → s; written to slot t.
        let read = 0.25 / f;
        w.set(&format!("{att}.value.weight"), &[layout.bit, head], read)?;
        w.set(
            &format!("{att}.value.weight"),
            &[layout.bit + 1, head],
            -read,
        )?;
        let slot = layout.slots + 2 * t;
        w.set(&format!("{att}.output.weight"), &[head, slot], 1.0)?;
        w.set(&format!("{att}.output.weight"), &[head, slot + 1], -1.0)?;
    }
    Ok(())
}

/// Layer 2, head 0: the last token's slots against every key's slots plus `(b + 1)·flag`;
/// the value is the label code, written to the `found` block.
fn compare(w: &mut Weights, layout: Layout) -> Result<(), ConstructError> {
    let att = "layers.1.mixer.Softmax.projections";
    let b = KEY_BITS;
    // The query (last token) and every label position: token + position + b slot pairs.
    let norm2 = TOKEN_NORM2 + position_norm2(layout) + 2.0 * b as f32;
    let f = ln_factor(layout.width, norm2);
    let gain = MARGIN * (layout.head_dim as f32).sqrt() / (2.0 * f * f);
    for t in 0..b {
        let start = layout.slots + 2 * t;
        for (offset, half) in [(0, 0.5), (1, -0.5)] {
            w.set(
                &format!("{att}.query.weight"),
                &[start + offset, t],
                half * gain,
            )?;
            w.set(&format!("{att}.key.weight"), &[start + offset, t], half)?;
        }
    }
    let bonus = (b + 1) as f32;
    for (offset, half) in [(0, 0.5), (1, -0.5)] {
        let q = half * gain * bonus;
        w.set(&format!("{att}.query.weight"), &[layout.one + offset, b], q)?;
        w.set(
            &format!("{att}.key.weight"),
            &[layout.flag + offset, b],
            half,
        )?;
    }
    let read = 0.5 / f;
    for l in 0..LABEL_BITS {
        let start = layout.label + 2 * l;
        w.set(&format!("{att}.value.weight"), &[start, l], read)?;
        w.set(&format!("{att}.value.weight"), &[start + 1, l], -read)?;
        let found = layout.found + 2 * l;
        w.set(&format!("{att}.output.weight"), &[l, found], 1.0)?;
        w.set(&format!("{att}.output.weight"), &[l, found + 1], -1.0)?;
    }
    Ok(())
}

/// The head scores each label by its code against the `found` block.
fn read_out(w: &mut Weights, layout: Layout, vocab: &Vocab) -> Result<(), ConstructError> {
    let labels: Vec<usize> = (0..LABELS)
        .map(|l| token(vocab, &label(l)))
        .collect::<Result<_, _>>()?;
    for t in 0..vocab.len() {
        match labels.iter().position(|&id| id == t) {
            Some(l) => {
                for (dim, c) in pairs(l, LABEL_BITS).into_iter().enumerate() {
                    w.set("head.weight", &[layout.found + dim, t], GAIN * c)?;
                }
            }
            None => w.set("head.bias", &[t], NEVER)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_grows_with_the_block_code_only() {
        assert_eq!(width(1), 72);
        assert_eq!(width(31), 72);
        assert_eq!(width(32), 80);
        assert_eq!(width(64), 88);
        let layout = Layout::new(64);
        assert!(layout.found + 2 * LABEL_BITS <= layout.width);
    }
}
