//! `lab eval FILE --agreement`: every attention head scored against the positions the task's
//! algorithm reads (see `expressivity_lab::instruments::agreement`), as a table or JSON.

use burn::prelude::Device;

use crate::outln;
use expressivity_lab::instruments::agreement::{Agreement, agreement};
use expressivity_lab::models::Model;
use expressivity_lab::tasks::Example;
use expressivity_lab::train::checkpoint::CheckpointMeta;

/// Score `model` on the held-out examples `held` of size `size`.
pub fn measure(
    model: &Model,
    meta: &CheckpointMeta,
    held: &[Example],
    size: usize,
    device: &Device,
) -> Result<Agreement, String> {
    if !meta.train.model.architecture.has_attention() {
        return Err(format!(
            "--agreement scores attention heads, and this model ({}) has none (see the \
             state-norm curves in the page for recurrent models)",
            meta.train.model.architecture.title()
        ));
    }
    pollster::block_on(agreement(model, held, device))
        .map_err(|e| format!("{} at size {size}: {e}", meta.train.task.task.name()))
}

pub fn print(table: &Agreement, size: usize) -> Result<(), String> {
    let pct = |x: f64| 100.0 * x;
    outln!(
        "agreement with the algorithm at size {size}: {} examples, {} predicted positions, \
         teacher-forced on the reference",
        table.examples,
        table.positions
    );
    outln!(
        "{:>5} {:>4}  {:>22}  {:>22}",
        "layer",
        "head",
        "mass on its reads [CI]",
        "arg-max on them [CI]"
    );
    let best = table.best().map(|b| (b.layer, b.head));
    for h in &table.heads {
        outln!(
            "{:>5} {:>4}  {:>6.1} % [{:>5.1}, {:>5.1}]  {:>6.1} % [{:>5.1}, {:>5.1}]{}",
            h.layer,
            h.head,
            pct(h.mass.estimate),
            pct(h.mass.low),
            pct(h.mass.high),
            pct(h.argmax.estimate),
            pct(h.argmax.low),
            pct(h.argmax.high),
            if best == Some((h.layer, h.head)) {
                "  ← best"
            } else {
                ""
            }
        );
    }
    outln!(
        "chance (uniform attention over the visible prefix, same positions): {:.1} % for both",
        pct(table.chance)
    );
    if table.chance > 0.9 {
        outln!(
            "the algorithm reads almost every visible position here, so agreement sits at its \
             chance level by design and cannot tell heads apart (MAJORITY's uniform head)"
        );
    }
    if table.whole_prefix > 0 {
        outln!(
            "{} positions read the whole prefix (any head agrees with them) and are not scored",
            table.whole_prefix
        );
    }
    outln!("CI: bootstrap 95 % over examples");
    Ok(())
}
