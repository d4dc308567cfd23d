//! `lab eval FILE --ablate`: every attention head silenced in turn (zero ablation) and the
//! teacher-forced accuracy lost (see `expressivity_lab::instruments::ablation`), as a table or
//! JSON.

use burn::prelude::Device;

use crate::outln;
use expressivity_lab::instruments::ablation::{Ablation, ablate_heads};
use expressivity_lab::instruments::bootstrap::Share;
use expressivity_lab::models::Model;
use expressivity_lab::tasks::Example;
use expressivity_lab::train::checkpoint::CheckpointMeta;

/// Silence each head of `model` in turn on the held-out examples `held`.
pub fn measure(
    model: &Model,
    meta: &CheckpointMeta,
    held: &[Example],
    device: &Device,
) -> Result<Ablation, String> {
    let arch = &meta.train.model;
    let none = || {
        format!(
            "--ablate silences attention heads, and this model ({}) has none",
            arch.architecture.title()
        )
    };
    if !arch.architecture.has_attention() {
        return Err(none());
    }
    pollster::block_on(ablate_heads(
        model,
        arch.n_layers,
        arch.n_heads,
        held,
        device,
    ))
    .map_err(|e| e.to_string())?
    .ok_or_else(none)
}

pub fn print(table: &Ablation, size: usize) -> Result<(), String> {
    let pct = |x: f64| 100.0 * x;
    outln!(
        "zero ablation at size {size}: {} examples, teacher-forced; with every head: exact {:.1} %, answer {:.1} %",
        table.examples,
        pct(table.exact),
        pct(table.answer)
    );
    outln!(
        "{:>5} {:>4}  {:>8} {:>24}  {:>8} {:>24}",
        "layer",
        "head",
        "exact",
        "points lost [CI]",
        "answer",
        "points lost [CI]"
    );
    let row = |layer: usize,
               head: &str,
               exact: f64,
               lost: &Share,
               answer: f64,
               lost_answer: &Share| {
        outln!(
            "{:>5} {:>4}  {:>6.1} % {:>+9.1} [{:>+6.1}, {:>+6.1}]  {:>6.1} % {:>+9.1} [{:>+6.1}, {:>+6.1}]",
            layer,
            head,
            pct(exact),
            pct(lost.estimate),
            pct(lost.low),
            pct(lost.high),
            pct(answer),
            pct(lost_answer.estimate),
            pct(lost_answer.low),
            pct(lost_answer.high)
        );
        Ok::<(), String>(())
    };
    for h in &table.heads {
        row(
            h.layer,
            &h.head.to_string(),
            h.exact,
            &h.exact_drop,
            h.answer,
            &h.answer_drop,
        )?;
    }
    for l in &table.layers {
        row(
            l.layer,
            "all",
            l.exact,
            &l.exact_drop,
            l.answer,
            &l.answer_drop,
        )?;
    }
    outln!(
        "a head is silenced by zeroing its rows of the output projection (\"all\": every head of the layer at once); CI: paired bootstrap 95 % over examples"
    );
    Ok(())
}
