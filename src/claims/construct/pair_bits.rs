//! The two-layer, logarithmic-width transformer shared by string equality and set
//! disjointness (Bhattamishra et al., "Separations in the Representational Capabilities of
//! Transformers and Recurrent Architectures": two-layer transformers of size O(log N) decide
//! both). The prompt is `x₀ … x_{N−1} | y₀ … y_{N−1} <q>`; the answer is negative iff some
//! position `i` is a *witness* (`xᵢ ≠ yᵢ` for equality, `xᵢ = yᵢ = 1` for disjointness).
//!
//! The paper's idea — `yᵢ` finds `xᵢ` through a position code that the two strings share,
//! one attention layer, then a second layer aggregates what each position found — is kept; its
//! nearly orthogonal random codes become exact ±1 binary codes, and its aggregation becomes an
//! attention "OR":
//! 1. **Layer 1, attention.** Position `i` of x and position `N + 1 + i` of y carry the same
//!    code `c(i) ∈ {±1}^B`, `B = ⌈log₂ N⌉`, plus a side flag `s` (+1 on x, −1 elsewhere). The
//!    query of a position is `(c(i), −s)`, its key `(c(j), s)`: the score
//!    `⟨c(i), c(j)⟩ − s_i s_j` is `B + 1` for `yᵢ → xᵢ` and at most `B − 1` for every other key
//!    it sees (another code loses 2 in the dot product, a y key loses 2 in the flag); `xᵢ`
//!    finds itself (`B − 1` against at most `B − 3`). `|` and `<q>` carry `c(0)` with `s = −1`
//!    and find `x₀`. A query gain sets this margin of 2 to a logit margin of 40, so the value
//!    `r` (the attended bit, ±1) is exact to ~N·e⁻⁴⁰ under softmax; saturated and hard
//!    attention pick the same single key.
//! 2. **Layer 1, MLP.** A detector `m = Σ GELU(K·(a·b + a'·r + a''·s + a₀))` over the position's
//!    own bit `b` (0 on `|` and `<q>`), the found bit `r` and the flag is ≈ K at a witness and
//!    ≈ 0 (at most `GELU(0) = 0`, else ≤ |GELU(−K)| ≈ 10⁻⁸) everywhere else:
//!    equality `GELU(K(b − r − 1)) + GELU(K(r − b − 1))`, disjointness `GELU(K(b + r − s − 2))`.
//! 3. **Layer 2, attention.** `<q>` scores every key by `m` with a large gain and reads `m`: if
//!    a witness exists its weight is ≈ 1 and the read value is the witness's (all witnesses
//!    are the same vector); otherwise every value is ≈ 0. The head thresholds it at half.
//!    The second MLP is zero (the identity).
//!
//! The residual stream is blocks of ± pairs `(v, −v)`, so every vector is zero-mean and each
//! LayerNorm only rescales a position; before layer 1 every position has the same norm (a
//! letter's bit pair, or the filler pair on `|`/`<q>`, plus code and flag), so the first
//! LayerNorm scales every query and key alike. Blocks: bit, filler, code (2B), flag, found bit
//! `r`, detector `m`, layer-2 read-out `o`: width `2B + 12`, 18 at N = 8 and 26 at N = 128.
//!
//! The learned position table puts the x/y boundary at N, so a checkpoint built for N reads
//! prompts of length N only.

use std::collections::BTreeMap;

use super::codes::{code_bits, ln_factor, pairs};
use super::{Built, ConstructError, Weights, instance_of, token, zero_weights};
use crate::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::pair_bits::{PairBits, PairRule, QUERY};
use crate::tasks::{TaskSpec, Vocab};

/// Logit margin of the right key in layer 1 (the rest share at most `2N·e⁻⁴⁰`).
const MARGIN: f32 = 40.0;
/// Logit of a witness key in layer 2 over a non-witness (the rest share at most `2N·e⁻⁵⁰`).
const WITNESS_SCORE: f32 = 50.0;
/// Detector gain K: a witness gives ≈ K, anything else at most |GELU(−K)| ≈ 6·10⁻⁹.
const DETECT: f32 = 6.0;
/// Read-out gain: the answer logits differ by about `GAIN` · 1.3.
const GAIN: f32 = 100.0;
/// Logit bias of every token that is not an answer.
const NEVER: f32 = -1000.0;

/// One hidden unit of the detector: `GELU(K · (bit·b + found·r + side·s + bias))`.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    pub bit: f32,
    pub found: f32,
    pub side: f32,
    pub bias: f32,
}

/// Where each block of the residual stream starts (each block is ± pairs).
#[derive(Debug, Clone, Copy)]
struct Layout {
    bits: usize,
    bit: usize,
    filler: usize,
    code: usize,
    side: usize,
    found: usize,
    detector: usize,
    answer: usize,
    width: usize,
}

impl Layout {
    fn new(bits: usize) -> Self {
        let code = 4;
        let side = code + 2 * bits;
        Self {
            bits,
            bit: 0,
            filler: 2,
            code,
            side,
            found: side + 2,
            detector: side + 4,
            answer: side + 6,
            width: side + 8,
        }
    }
}

/// The model width for strings of length `n`.
pub fn width(n: usize) -> usize {
    Layout::new(code_bits(n)).width
}

/// Build the construction for task `R` with witness `detector`, for strings of length `n`.
pub fn build<R: PairRule>(detector: &[Unit], n: usize) -> Result<Built, ConstructError> {
    let layout = Layout::new(code_bits(n));
    let arch = ArchSpec {
        architecture: Architecture::Standard,
        d_model: layout.width,
        n_layers: 2,
        n_heads: 1,
        attention: AttentionMode::Softmax,
        softmax_scale: 1.0,
        positional: PositionalEncoding::Learned,
        ..ArchSpec::default()
    };
    let train = instance_of(TaskSpec::new(R::INFO.kind, n), arch);
    let (config, mut w) = zero_weights(&train)?;
    let vocab = PairBits::<R>::vocabulary();
    embed(&mut w, layout, &vocab, n, config.max_len)?;
    find_partner(&mut w, layout)?;
    let witness = detect(&mut w, layout, detector)?;
    let read = gather(&mut w, layout, witness)?;
    let [positive, negative] = R::ANSWERS;
    let answers = [token(&vocab, positive)?, token(&vocab, negative)?];
    read_out(&mut w, layout, vocab.len(), answers, read)?;
    let params = BTreeMap::from([
        ("size".to_string(), n.to_string()),
        ("width".to_string(), layout.width.to_string()),
        ("code bits".to_string(), layout.bits.to_string()),
        ("layers".to_string(), "2".to_string()),
    ]);
    Ok(Built {
        train,
        weights: w,
        params,
    })
}

/// Bits on the bit pair, `|`/`<q>`/`<pad>` on the filler pair; positions carry code and flag.
fn embed(
    w: &mut Weights,
    layout: Layout,
    vocab: &Vocab,
    n: usize,
    max_len: usize,
) -> Result<(), ConstructError> {
    for (text, sign) in [("1", 1.0), ("0", -1.0)] {
        w.set_row(
            "embedding.weight",
            token(vocab, text)?,
            layout.bit,
            &[sign, -sign],
        )?;
    }
    for t in [token(vocab, "|")?, token(vocab, QUERY)?, 0] {
        w.set_row("embedding.weight", t, layout.filler, &[1.0, -1.0])?;
    }
    for p in 0..max_len {
        // x at 0..n, `|` at n, y at n + 1..=2n, `<q>` (and the answer) after.
        let (index, side) = match p {
            p if p < n => (p, 1.0),
            p if p > n && p <= 2 * n => (p - n - 1, -1.0),
            _ => (0, -1.0),
        };
        let table = "positions.learned.weight";
        w.set_row(table, p, layout.code, &pairs(index, layout.bits))?;
        w.set_row(table, p, layout.side, &[side, -side])?;
    }
    Ok(())
}

/// Layer 1: query `(gain·c(i), −gain·s)`, key `(c(j), s)`, value the bit, written to `r`.
fn find_partner(w: &mut Weights, layout: Layout) -> Result<(), ConstructError> {
    let att = "layers.0.mixer.Softmax.projections";
    let d = layout.width;
    // Every position has ‖x‖² = 2 (bit or filler) + 2B (code) + 2 (flag).
    let f = ln_factor(d, (2 * layout.bits + 4) as f32);
    // One unit of ⟨c, c'⟩ − s s' is gain·f²/√d in the logits; the margin is 2 units.
    let gain = MARGIN * (d as f32).sqrt() / (2.0 * f * f);
    let blocks = (0..layout.bits)
        .map(|b| (layout.code + 2 * b, 1.0))
        .chain([(layout.side, -1.0)]);
    for (out, (start, query_sign)) in blocks.enumerate() {
        for (offset, half) in [(0, 0.5), (1, -0.5)] {
            let q = query_sign * half * gain;
            w.set(&format!("{att}.query.weight"), &[start + offset, out], q)?;
            w.set(&format!("{att}.key.weight"), &[start + offset, out], half)?;
        }
    }
    // The value is the bit (±1, 0 on `|`/`<q>`): (b·f, −b·f) → b.
    let half = 0.5 / f;
    w.set(&format!("{att}.value.weight"), &[layout.bit, 0], half)?;
    w.set(&format!("{att}.value.weight"), &[layout.bit + 1, 0], -half)?;
    w.set(&format!("{att}.output.weight"), &[0, layout.found], 1.0)?;
    w.set(
        &format!("{att}.output.weight"),
        &[0, layout.found + 1],
        -1.0,
    )?;
    Ok(())
}

/// Layer 1 MLP: the detector into the `m` pair. Returns the value `m` at a witness.
fn detect(w: &mut Weights, layout: Layout, units: &[Unit]) -> Result<f32, ConstructError> {
    let mlp = "layers.0.mlp";
    // Every position now also carries r = ±1 (exactly, to ~e⁻⁴⁰): ‖x‖² = 2B + 6.
    let f = ln_factor(layout.width, (2 * layout.bits + 6) as f32);
    let read = 0.5 * DETECT / f;
    for (h, unit) in units.iter().enumerate() {
        for (start, coef) in [
            (layout.bit, unit.bit),
            (layout.found, unit.found),
            (layout.side, unit.side),
        ] {
            w.set(&format!("{mlp}.up.weight"), &[start, h], coef * read)?;
            w.set(&format!("{mlp}.up.weight"), &[start + 1, h], -coef * read)?;
        }
        w.set(&format!("{mlp}.up.bias"), &[h], DETECT * unit.bias)?;
        w.set(&format!("{mlp}.down.weight"), &[h, layout.detector], 1.0)?;
        w.set(
            &format!("{mlp}.down.weight"),
            &[h, layout.detector + 1],
            -1.0,
        )?;
    }
    // At a witness one unit sees K·1 and the others at most K·(−1): m ≈ GELU(K) ≈ K.
    Ok(DETECT)
}

/// Layer 2: `<q>` (its filler pair) scores each key by its `m`; the value is `m`, written to
/// the answer pair. Returns the answer value `o` that a witness gives.
fn gather(w: &mut Weights, layout: Layout, witness: f32) -> Result<f32, ConstructError> {
    let att = "layers.1.mixer.Softmax.projections";
    let d = layout.width;
    let base = (2 * layout.bits + 6) as f32;
    // `<q>`: m ≈ 0; a witness: ‖x‖² grows by 2m².
    let f_query = ln_factor(d, base);
    let f_witness = ln_factor(d, base + 2.0 * witness * witness);
    let key = witness * f_witness;
    let gain = WITNESS_SCORE * (d as f32).sqrt() / (f_query * key);
    for (offset, half) in [(0, 0.5), (1, -0.5)] {
        w.set(
            &format!("{att}.query.weight"),
            &[layout.filler + offset, 0],
            half * gain,
        )?;
        w.set(
            &format!("{att}.key.weight"),
            &[layout.detector + offset, 0],
            half,
        )?;
        w.set(
            &format!("{att}.value.weight"),
            &[layout.detector + offset, 0],
            half,
        )?;
    }
    w.set(&format!("{att}.output.weight"), &[0, layout.answer], 1.0)?;
    w.set(
        &format!("{att}.output.weight"),
        &[0, layout.answer + 1],
        -1.0,
    )?;
    Ok(key)
}

/// The head: the negative answer's logit is `GAIN·(o − o_witness/2)` after the final norm,
/// the positive one's 0; every other token is never chosen.
fn read_out(
    w: &mut Weights,
    layout: Layout,
    vocab_len: usize,
    [positive, negative]: [usize; 2],
    witness: f32,
) -> Result<(), ConstructError> {
    let d = layout.width;
    // `<q>` after layer 2: filler, code, flag, r, m ≈ 0, and the answer pair ±o.
    let norm2 = (2 * layout.bits + 6) as f32 + 2.0 * witness * witness;
    let threshold = witness * ln_factor(d, norm2) / 2.0;
    for t in 0..vocab_len {
        if t == negative {
            let name = "head.weight";
            w.set(name, &[layout.answer, t], 0.5 * GAIN)?;
            w.set(name, &[layout.answer + 1, t], -0.5 * GAIN)?;
            w.set("head.bias", &[t], -GAIN * threshold)?;
        } else if t != positive {
            w.set("head.bias", &[t], NEVER)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_is_two_per_code_bit_plus_twelve() {
        assert_eq!(width(1), 14);
        assert_eq!(width(8), 18);
        assert_eq!(width(9), 20);
        assert_eq!(width(128), 26);
    }
}
