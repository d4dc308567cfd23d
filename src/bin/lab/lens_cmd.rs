//! `lab eval FILE --lens`: the logit lens (see `expressivity_lab::instruments::lens`), as a
//! table or JSON.

use burn::prelude::Device;

use crate::outln;
use expressivity_lab::instruments::lens::{LogitLens, logit_lens};
use expressivity_lab::models::Model;
use expressivity_lab::tasks::Example;

pub fn measure(model: &Model, held: &[Example], device: &Device) -> Result<LogitLens, String> {
    pollster::block_on(logit_lens(model, held, device)).map_err(|e| e.to_string())
}

pub fn print(lens: &LogitLens, size: usize) -> Result<(), String> {
    let pct = |x: f64| 100.0 * x;
    outln!(
        "logit lens at size {size}: {} examples, {} predicted positions ({} answer tokens), teacher-forced; \
         each layer's residual stream read through the final LayerNorm and read-out",
        lens.examples,
        lens.predicted_positions,
        lens.answer_positions
    );
    outln!(
        "{:<20} {:>14} {:>8} {:>14}",
        "stream",
        "p(reference)",
        "top-1",
        "answer top-1"
    );
    let last = lens.layers.len().saturating_sub(1);
    for l in &lens.layers {
        let name = match l.after_layer {
            0 => "embeddings".to_string(),
            n if n == last => format!("after layer {n} (out)"),
            n => format!("after layer {n}"),
        };
        outln!(
            "{:<20} {:>12.1} % {:>6.1} % {:>12.1} %",
            name,
            pct(l.reference_probability),
            pct(l.top1),
            pct(l.answer_top1)
        );
    }
    Ok(())
}
