//! Recurrent token mixers: LSTM, GRU and a selective SSM. Each runs a sequential scan over a
//! batch for training (with a per-step state norm for the trace) and a one-token step over an
//! explicit state for decoding, and both go through the same cell function.

pub mod gru;
pub mod lstm;
mod lstm_scan;
pub mod ssm;

use burn::prelude::*;

pub use gru::GruLayer;
pub use lstm::LstmLayer;
pub use ssm::SsmLayer;

/// Row `t` of `[B, T, k]` as `[B, k]`.
pub(crate) fn at(x: &Tensor<3>, t: usize) -> Tensor<2> {
    let [b, _, k] = x.dims();
    x.clone().slice([0..b, t..t + 1, 0..k]).reshape([b, k])
}

/// The `T` rows of `[B, T, k]`, each as `[B, k]`, for a scan over a tracked tensor.
///
/// Cut in halves recursively rather than one slice per step: under autodiff the backward of a
/// slice writes its gradient into zeros of the *whole* sliced tensor, so `T` slices of `[B, T, k]`
/// cost `T` full-size buffers and additions (quadratic in `T`), while halving costs one
/// full-size pass per level (`⌈log₂ T⌉` levels). The values are the same rows either way.
pub(crate) fn steps(x: Tensor<3>) -> Vec<Tensor<2>> {
    let [b, t, k] = x.dims();
    let mut out = Vec::with_capacity(t);
    split_into(x, b, t, k, &mut out);
    out
}

fn split_into(x: Tensor<3>, b: usize, t: usize, k: usize, out: &mut Vec<Tensor<2>>) {
    match t {
        0 => {}
        1 => out.push(x.reshape([b, k])),
        _ => {
            let mid = t / 2;
            split_into(x.clone().slice([0..b, 0..mid, 0..k]), b, mid, k, out);
            split_into(x.slice([0..b, mid..t, 0..k]), b, t - mid, k, out);
        }
    }
}

/// `T` tensors `[B, k]` as `[B, T, k]` (one concatenation, no per-step reshape).
pub(crate) fn join_steps(rows: Vec<Tensor<2>>) -> Tensor<3> {
    let [b, k] = rows[0].dims();
    let t = rows.len();
    Tensor::cat(rows, 1).reshape([b, t, k])
}

/// L2 norm of each `[k]` row of `[B, T, k]`, as `[B, T]`.
pub(crate) fn row_norms(states: Tensor<3>) -> Tensor<2> {
    let [b, t, _] = states.dims();
    states.powi_scalar(2).sum_dim(2).sqrt().reshape([b, t])
}

/// L2 norm of each row of `[B, …]` flattened, as `[B, 1]`.
pub(crate) fn norm<const D: usize>(state: &Tensor<D>) -> Tensor<2> {
    let b = state.dims()[0];
    state
        .clone()
        .reshape([b as i32, -1])
        .powi_scalar(2)
        .sum_dim(1)
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<const D: usize>(x: Tensor<D>) -> Vec<f32> {
        x.into_data().iter().collect()
    }

    /// `[2, 7, 3]` with distinct entries (7 steps: the halving meets odd lengths).
    fn sequence(device: &Device) -> Tensor<3> {
        let data: Vec<f32> = (0..42).map(|v| v as f32 * 0.5 - 7.0).collect();
        Tensor::<1>::from_floats(data.as_slice(), device).reshape([2, 7, 3])
    }

    #[test]
    fn steps_are_the_rows_in_order_and_join_back() {
        let device = Device::flex();
        let x = sequence(&device);
        let rows = steps(x.clone());
        assert_eq!(rows.len(), 7);
        for (t, row) in rows.iter().enumerate() {
            assert_eq!(values(row.clone()), values(at(&x, t)), "step {t}");
        }
        assert_eq!(values(join_steps(rows)), values(x));
    }

    #[test]
    fn row_norms_match_the_per_step_norm() {
        let device = Device::flex();
        let x = sequence(&device);
        let per_step: Vec<Tensor<2>> = (0..7).map(|t| norm(&at(&x, t))).collect();
        let expected = values(Tensor::cat(per_step, 1));
        let got = values(row_norms(x));
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() <= 1e-5 * e.abs().max(1.0), "{g} vs {e}");
        }
    }
}
