//! Recurrent token mixers: LSTM, GRU and a selective SSM. Each runs a sequential scan over a
//! batch for training (with a per-step state norm for the trace) and a one-token step over an
//! explicit state for decoding, and both go through the same cell function.

pub mod gru;
pub mod lstm;
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
