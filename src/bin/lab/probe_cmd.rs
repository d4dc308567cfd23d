//! `lab eval FILE --probe`: linear probes per layer for the variable the task's algorithm
//! keeps (see `expressivity_lab::instruments::probe`), as a table or JSON.

use burn::prelude::Device;

use crate::outln;
use expressivity_lab::instruments::probe::{Probes, probe};
use expressivity_lab::models::Model;
use expressivity_lab::tasks::Example;
use expressivity_lab::train::checkpoint::CheckpointMeta;

/// Fit and score the probes on the held-out examples `held` of size `size`.
pub fn measure(
    model: &Model,
    meta: &CheckpointMeta,
    held: &[Example],
    size: usize,
    device: &Device,
) -> Result<Probes, String> {
    let spec = meta.train.task.at_size(size);
    pollster::block_on(probe(model, &spec, held, device)).map_err(|e| e.to_string())
}

pub fn print(table: &Probes, size: usize) -> Result<(), String> {
    outln!(
        "linear probes for the {} at size {size}: fitted on {} positions (half the \
         examples), scored on {} (the other half)",
        table.variable.name(),
        table.fit_positions,
        table.score_positions
    );
    outln!(
        "{:>5}  {:>8}  {:>8}  {:>18}",
        "layer",
        "R²",
        "exact",
        "control R² (shuffled)"
    );
    for l in &table.layers {
        outln!(
            "{:>5}  {:>8.3}  {:>7.1}%  {:>18.3}",
            l.layer,
            l.r2,
            100.0 * l.exact,
            l.control_r2
        );
    }
    outln!(
        "the residual stream after each layer (a recurrent layer's hidden state is in \
         it); exact = the rounded prediction is the value; ridge regression, closed form"
    );
    Ok(())
}
