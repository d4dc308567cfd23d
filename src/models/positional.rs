//! Position information added to the embeddings: none, a learned table, or the sinusoidal
//! encoding (Vaswani et al.) computed on the host once per length. RoPE and ALiBi add nothing
//! here: they act inside attention (`attention/relative.rs`).

use burn::nn::{Embedding, EmbeddingConfig};
use burn::prelude::*;

use super::PositionalEncoding;

/// `[len, d]` table: `PE[p, 2i] = sin(p / 10000^(2i/d))`, `PE[p, 2i+1] = cos(…)`.
pub fn sinusoidal_table(len: usize, d: usize) -> Vec<f32> {
    sinusoidal_rows(0..len, d)
}

fn computed_rows(positions: std::ops::Range<usize>, d: usize) -> Vec<f32> {
    let mut table = Vec::with_capacity(positions.len() * d);
    for p in positions {
        for i in 0..d {
            let freq = 1.0 / 10000f64.powf((2 * (i / 2)) as f64 / d as f64);
            let angle = p as f64 * freq;
            table.push(if i % 2 == 0 { angle.sin() } else { angle.cos() } as f32);
        }
    }
    table
}

/// Widths whose tables are kept at most (a model has one; tests and grids a few).
const KEPT_WIDTHS: usize = 8;

thread_local! {
    /// Each width's table from position 0, as far as it was asked for: every forward pass
    /// adds the same rows, whose `sin`, `cos` and `powf` took 4 % of a small model's training
    /// step when computed again each time.
    static TABLES: std::cell::RefCell<Vec<(usize, Vec<f32>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The rows of `positions` (`[len, d]`, row-major): the same values as computing them.
fn sinusoidal_rows(positions: std::ops::Range<usize>, d: usize) -> Vec<f32> {
    if d == 0 {
        return Vec::new();
    }
    TABLES.with_borrow_mut(|tables| {
        let at = match tables.iter().position(|(w, _)| *w == d) {
            Some(at) => at,
            None => {
                if tables.len() == KEPT_WIDTHS {
                    tables.remove(0);
                }
                tables.push((d, Vec::new()));
                tables.len() - 1
            }
        };
        let table = &mut tables[at].1;
        let have = table.len() / d;
        if positions.end > have {
            table.extend(computed_rows(have..positions.end, d));
        }
        table[positions.start * d..positions.end * d].to_vec()
    })
}

/// The position signal added to token embeddings.
#[derive(Module, Debug)]
pub struct Positions {
    learned: Option<Embedding>,
    #[module(skip)]
    kind: PositionalEncoding,
    #[module(skip)]
    d_model: usize,
}

impl Positions {
    pub fn new(kind: PositionalEncoding, max_len: usize, d_model: usize, device: &Device) -> Self {
        Self {
            learned: (kind == PositionalEncoding::Learned)
                .then(|| EmbeddingConfig::new(max_len, d_model).init(device)),
            kind,
            d_model,
        }
    }

    /// Add the signal for positions `start..start + T` to `x: [B, T, d]`.
    pub fn add(&self, x: Tensor<3>, start: usize) -> Tensor<3> {
        let [_, t, d] = x.dims();
        let device = x.device();
        match (self.kind, &self.learned) {
            (kind, _) if kind == PositionalEncoding::None || kind.in_attention() => x,
            (PositionalEncoding::Learned, Some(table)) => {
                let ids = Tensor::<1, Int>::arange(start as i64..(start + t) as i64, &device)
                    .reshape([1, t]);
                x + table.forward(ids)
            }
            _ => {
                let rows = sinusoidal_rows(start..start + t, self.d_model);
                x + Tensor::<1>::from_floats(rows.as_slice(), &device).reshape([1, t, d])
            }
        }
    }

    /// The position code of position `positions[b, t]` (each in `0..count`), `[B, T, d]`: a
    /// row of the learned table (positions past its end read its last row), otherwise the
    /// sinusoidal code — also when the model adds no positions to its embeddings (none, RoPE,
    /// ALiBi), so that index tokens of a recurrent model get the same fixed code as a
    /// sinusoidal transformer's.
    pub fn codes(&self, positions: Tensor<2, Int>, count: usize) -> Tensor<3> {
        let [b, t] = positions.dims();
        let device = positions.device();
        match (self.kind, &self.learned) {
            (PositionalEncoding::Learned, Some(table)) => {
                let last = table.weight.dims()[0] as i64 - 1;
                table.forward(positions.clamp(0, last))
            }
            _ => {
                let rows = sinusoidal_rows(0..count, self.d_model);
                let table = Tensor::<1>::from_floats(rows.as_slice(), &device)
                    .reshape([count, self.d_model]);
                let flat = positions.clamp(0, count as i64 - 1).reshape([b * t]);
                table.select(0, flat).reshape([b, t, self.d_model])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_starts_with_sin_cos_of_zero() {
        let t = sinusoidal_table(3, 4);
        assert_eq!(&t[..4], &[0.0, 1.0, 0.0, 1.0]);
        assert!((t[4] - 1f32.sin()).abs() < 1e-6);
        assert!((t[5] - 1f32.cos()).abs() < 1e-6);
        assert_eq!(sinusoidal_rows(1..3, 4), t[4..].to_vec());
    }

    #[test]
    fn kept_rows_are_the_computed_ones() {
        // Asked for in pieces, past the kept end, and for several widths in turn.
        for d in [4, 6, 64, 4] {
            assert_eq!(sinusoidal_rows(5..9, d), computed_rows(5..9, d));
            assert_eq!(sinusoidal_rows(0..40, d), computed_rows(0..40, d));
            assert_eq!(sinusoidal_rows(39..41, d), computed_rows(39..41, d));
        }
        for d in 1..=KEPT_WIDTHS + 2 {
            assert_eq!(sinusoidal_rows(2..3, d), computed_rows(2..3, d));
        }
        assert!(TABLES.with_borrow(|t| t.len()) <= KEPT_WIDTHS);
    }
}
