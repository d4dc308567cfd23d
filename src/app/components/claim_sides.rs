//! A claim card's per-side verdicts: the positive side's construction and best restarts
//! against its absolute bound, the negative side's basis (a theorem) with what runs can show,
//! and the task-aware shortcut floors each side must beat.

use yew::prelude::*;

use crate::claims::{Outcome, Verdict};

/// The best shortcut rule per size, as "N = 16: 19.9 % (the most common symbol …)".
fn floors(v: &Verdict) -> Option<String> {
    let mut sizes: Vec<usize> = v.shortcuts.iter().map(|s| s.size).collect();
    sizes.dedup();
    let best: Vec<String> = sizes
        .iter()
        .filter_map(|&n| {
            v.shortcuts
                .iter()
                .filter(|s| s.size == n && s.floor.accuracy.is_finite())
                .max_by(|a, b| a.floor.accuracy.total_cmp(&b.floor.accuracy))
                .map(|s| {
                    format!(
                        "N = {n}: {:.1} % ({})",
                        100.0 * s.floor.accuracy,
                        s.floor.rule
                    )
                })
        })
        .collect();
    (!best.is_empty()).then(|| best.join("; "))
}

/// The per-side part of a committed verdict (nothing for verdicts written before it existed).
pub fn sides_view(v: &Verdict) -> Html {
    let positive = v.positive_side.as_ref().map(|p| {
        html! {
            <div class="claim-side-verdict positive">
                <p>
                    <strong>{format!("Positive side ({}): ", p.bound)}</strong>
                    if p.construction_outcome.is_some() {
                        <>{"construction "}{ verdict_badge(p.construction_outcome) }{" "}</>
                    }
                    if p.trained_outcome.is_some() {
                        <>{"trained "}{ verdict_badge(p.trained_outcome) }</>
                    }
                </p>
                <p class="hint">{p.summary.clone()}</p>
                <p class="hint">{format!("Restarts: {}.", p.selection)}</p>
            </div>
        }
    });
    let negative = v.negative_side.as_ref().map(|n| {
        let bound = n
            .capacity
            .iter()
            .filter(|r| r.bits_needed > 0.0)
            .max_by(|a, b| a.bits_needed.total_cmp(&b.bits_needed));
        html! {
            <div class="claim-side-verdict negative">
                <p><strong>{"Negative side: "}</strong>{n.basis.clone()}{"."}</p>
                if !n.capacity.is_empty() {
                    <p class="hint">{match bound {
                        Some(r) => format!("Most information a recurrent run's state provably holds (Fano, from its accuracy): \
                            {:.0} bits ({} N = {}, width {}, {:.1} %) against a capacity of {:.0} bits.",
                            r.bits_needed, r.series, r.size, r.width, 100.0 * r.accuracy, r.state_bits),
                        None => "No recurrent run answers above chance: its state provably holds no information about the sequence.".to_string(),
                    }}</p>
                }
                if !n.precision_note.is_empty() {
                    <p class="hint">{n.precision_note.clone()}</p>
                }
            </div>
        }
    });
    html! {
        <>
            { for positive }
            { for negative }
            if let Some(text) = floors(v) {
                <p class="hint claim-floors">{format!("Shortcut floors (the best rule on surface features, same test examples): {text}.")}</p>
            }
        </>
    }
}

/// The verdict as a coloured badge (`None`: no results).
pub fn verdict_badge(outcome: Option<Outcome>) -> Html {
    let (class, text) = match outcome {
        Some(Outcome::Supported) => ("supported", "supported"),
        Some(Outcome::NotSupported) => ("not-supported", "not supported"),
        Some(Outcome::Inconclusive) => ("inconclusive", "inconclusive"),
        None => ("none", "no results yet"),
    };
    html! { <span class={classes!("badge", class)}>{text}</span> }
}
