//! `lab eval FILE --probe`: linear probes per layer for the variable the task's algorithm
//! keeps (see `expressivity_lab::instruments::probe`), as a table or JSON.

use burn::prelude::Device;

use crate::outln;
use crate::task_cmd::Format;
use expressivity_lab::instruments::probe::{Probes, probe};
use expressivity_lab::models::Model;
use expressivity_lab::train::checkpoint::CheckpointMeta;
use expressivity_lab::train::eval::held_out_at_size;

/// Fit and score the probes on `examples` held-out examples at `size` and print them.
pub fn run(
    model: &Model,
    meta: &CheckpointMeta,
    size: usize,
    examples: usize,
    format: Format,
    device: &Device,
) -> Result<Probes, String> {
    let spec = meta.train.task.at_size(size);
    let held = held_out_at_size(&meta.train, size, examples).map_err(|e| e.to_string())?;
    let table =
        pollster::block_on(probe(model, &spec, &held, device)).map_err(|e| e.to_string())?;
    match format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&table).map_err(|e| e.to_string())?
        ),
        Format::Text => {
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
        }
    }
    Ok(table)
}
