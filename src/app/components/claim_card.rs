//! One claim as a card: the statement with its paper and theorem, the two sides, the committed
//! native verdict with its plot, scale and command, the construction and the live check. Says
//! so plainly when there are no committed results or no construction yet.

use std::rc::Rc;

use yew::prelude::*;

use super::claim_construction::{LoadedConstruction, construction_sizes};
use super::claim_sides::verdict_badge;
use super::{ClaimConstruction, ClaimLive, ClaimPlot};
use crate::app::state::GridStatus;
use crate::claims::results::{self, Committed};
use crate::claims::{Claim, Kind, Outcome, Side, live, missing, registry};
use crate::models::AttentionMode;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The claim's id (`claims::registry`).
    pub claim: AttrValue,
    /// The kept model, when it is this claim's construction.
    pub loaded: Option<LoadedConstruction>,
    pub busy: bool,
    /// This claim's last live check.
    pub live: Option<GridStatus>,
    /// Another grid is running (another claim's live check or your grid).
    pub live_elsewhere: bool,
    pub on_load: Callback<(String, usize)>,
    pub on_mode: Callback<AttentionMode>,
    pub on_check: Callback<String>,
    pub on_cancel: Callback<()>,
}

/// Below this window width (CSS pixels) a card starts folded.
const NARROW_PX: f64 = 700.0;

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Existence => "existence (construction)",
        Kind::Separation => "width separation",
        Kind::NoSeparation => "no separation",
    }
}

fn side(class: &'static str, sign: &str, s: &Side) -> Html {
    html! {
        <div class={classes!("side", class)}>
            <span class="sign">{sign}</span>
            <span>{s.label}</span>
            <span class="growth">{s.growth.name()}</span>
        </div>
    }
}

fn list(values: &[usize]) -> String {
    values
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which grid the committed results ran, at what budget, where and how long.
fn scale_note(claim: &Claim, c: &Committed) -> String {
    let v = &c.verdict;
    let d = claim.design(v.quick);
    let grid = if v.quick {
        "Quick grid (--quick: fewer sizes and widths, smaller budget — not the full experiment)"
    } else {
        "Full grid"
    };
    let budget = if d.steps == 0 {
        "no training".to_string()
    } else if d.check_every > 0 {
        let level = if d.stop_margin > 0.0 {
            format!("the threshold plus {:.0} points", 100.0 * d.stop_margin)
        } else {
            "the threshold".to_string()
        };
        format!(
            "at most {} steps of batch {} per run (early stopping: two consecutive validation \
             checks at {level}, every {} steps{})",
            d.steps,
            d.batch_size,
            d.check_every,
            d.curriculum_words()
        )
    } else {
        format!("{} steps of batch {} per run", d.steps, d.batch_size)
    };
    let commits: Vec<&str> = c.commits.iter().map(|s| &s[..s.len().min(7)]).collect();
    format!(
        "{grid}: N ∈ {{{}}}, widths {{{}}}, {} seeds, {budget}, {} test examples per seed; \
         {} runs, {:.0} s of run time on {} (commit {}).",
        list(d.sizes),
        list(d.widths),
        d.seeds.len(),
        d.eval_examples,
        c.runs,
        c.run_seconds_total,
        c.machines.join(", "),
        commits.join(", ")
    )
}

fn trivial_note(c: &Committed) -> Option<String> {
    let worst = c
        .verdict
        .trivial
        .iter()
        .filter(|t| t.share.is_finite())
        .max_by(|a, b| a.share.total_cmp(&b.share))?;
    Some(format!(
        "A constant predictor reaches at most {:.1} % (N = {}){}.",
        100.0 * worst.share,
        worst.size,
        if worst.passes_threshold {
            ": the threshold proves nothing there"
        } else {
            ", below the threshold"
        }
    ))
}

/// The commands that rebuild a committed grid in a checkout, and (full grids) the same in two
/// parts: the commands recorded with the runs name the paths of the machine that ran them, so
/// they are shown apart, as provenance.
fn reproduce_commands(id: &str, quick: bool) -> (String, Vec<String>) {
    if quick {
        let one =
            format!("lab claims run {id} --quick --out assets/results/claims/{id}-quick.jsonl");
        return (one, Vec::new());
    }
    let one = format!("lab claims run {id} --out assets/results/claims/{id}.jsonl");
    let parts = vec![
        format!("lab claims run {id} --shard 1/2 --out {id}.part1.jsonl"),
        format!("lab claims run {id} --shard 2/2 --out {id}.part2.jsonl"),
        format!(
            "lab claims merge {id}.part1.jsonl {id}.part2.jsonl --out assets/results/claims/{id}.jsonl"
        ),
    ];
    (one, parts)
}

fn committed_view(
    claim: &Claim,
    committed: Option<&Result<Committed, results::ResultsError>>,
) -> Html {
    let id = claim.id;
    match committed {
        None => html! {
            <div class="claim-results none" id={format!("claim-results-{id}")}>
                <p>{"No committed results yet. Run the grid natively:"}</p>
                <code class="claim-cmd" tabindex="0">{reproduce_commands(id, true).0}</code>
                <code class="claim-cmd" tabindex="0">{reproduce_commands(id, false).0}</code>
            </div>
        },
        Some(Err(e)) => html! {
            <div class="error" role="alert">{format!("The committed results cannot be read: {e}")}</div>
        },
        Some(Ok(c)) => {
            let (one, parts) = reproduce_commands(id, c.verdict.quick);
            html! {
            <div class="claim-results" id={format!("claim-results-{id}")}>
                <div class="claim-verdict" data-outcome={c.verdict.outcome.name()}>
                    <span class="summary">{c.verdict.summary.clone()}</span>
                </div>
                if let Some(missing) = &c.verdict.missing {
                    { missing_view(id, missing) }
                }
                <ClaimPlot claim={id} verdict={Rc::new(c.verdict.clone())} id={format!("claim-plot-{id}")} />
                { super::claim_sides::sides_view(&c.verdict) }
                <p class="hint">{scale_note(claim, c)}</p>
                if let Some(note) = trivial_note(c) {
                    <p class="hint">{note}</p>
                }
                <div class="claim-commands">
                    <span class="hint">{"Reproduce:"}</span>
                    <code class="claim-cmd" tabindex="0">{one}</code>
                    if !parts.is_empty() {
                        <span class="hint">{"or in two parts (two cores or machines; resumable):"}</span>
                        { for parts.into_iter().map(|cmd| html! { <code class="claim-cmd" tabindex="0">{cmd}</code> }) }
                    }
                    <details class="claim-recorded">
                        <summary>{format!("As recorded ({} command{}; commit {}; {})",
                            c.commands.len(), if c.commands.len() == 1 { "" } else { "s" },
                            c.commits.join(", "), c.machines.join(", "))}</summary>
                        { for c.commands.iter().map(|cmd| html! { <code class="claim-cmd" tabindex="0">{cmd.clone()}</code> }) }
                    </details>
                </div>
            </div>
            }
        }
    }
}

/// The runs a part-done grid still lacks, cell by cell, with their estimated cost.
fn missing_view(id: &str, missing: &missing::Missing) -> Html {
    let hours = |s: Option<f64>| {
        s.map_or_else(
            || "unknown".to_string(),
            |s| format!("≤ {:.2} h", s / 3600.0),
        )
    };
    html! {
        <details class="claim-missing" id={format!("claim-missing-{id}")}>
            <summary>{format!("Part-done grid: {} of {} runs; {} cells missing ({} of run time)",
                missing.done, missing.planned, missing.cells.len(), hours(missing.estimated_seconds))}</summary>
            <table class="claim-missing-cells">
                <thead><tr><th>{"series"}</th><th>{"N"}</th><th>{"width"}</th><th>{"seeds"}</th><th>{"cost"}</th></tr></thead>
                <tbody>
                { for missing.cells.iter().map(|c| html! {
                    <tr>
                        <td>{c.series.clone()}</td>
                        <td>{c.size}</td>
                        <td>{c.width}</td>
                        <td>{c.seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")}</td>
                        <td>{hours(c.estimated_seconds)}</td>
                    </tr>
                }) }
                </tbody>
            </table>
        </details>
    }
}

#[function_component(ClaimCard)]
pub fn claim_card(props: &Props) -> Html {
    let found = use_memo(props.claim.clone(), |id| registry::find(id).ok());
    let committed = use_memo(props.claim.clone(), |id| results::for_claim(id));
    // Decided once, when the card mounts: after that the reader's own toggle stands.
    let open = use_state(|| {
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .is_none_or(|w| w > NARROW_PX)
    });
    let Some(claim) = found.as_ref() else {
        return html! {};
    };
    let id = claim.id;
    let outcome = committed
        .as_ref()
        .as_ref()
        .and_then(|c| c.as_ref().ok())
        .map(|c| c.verdict.outcome);
    let construction = construction_sizes(claim);
    html! {
        <article class="claim-card" id={format!("claim-{id}")} data-outcome={outcome.map(Outcome::name)}>
            <header class="claim-head">
                <code class="claim-id">{id}</code>
                <span class="claim-kind">{kind_name(claim.kind)}</span>
                { verdict_badge(outcome) }
            </header>
            <p class="claim-statement">{claim.statement}</p>
            <p class="claim-paper">{format!("{} — {}", claim.paper, claim.theorem)}</p>
            <div class="claim-sides">
                { side("positive", "+", &claim.positive) }
                { side("negative", "−", &claim.negative) }
            </div>
            // On a phone nine cards in full are metres of page: there each opens on a tap (the
            // statement, sides and verdict stay in view); on a wider screen all start open.
            <details class="claim-body" open={*open}>
            <summary>{"The experiment, its results, construction and live check"}</summary>
            <div class="claim-body-inner">
            <p class="hint">{format!("Task {}, judged on {} ≥ {:.0} %. Expected: {}.",
                claim.task.name(), claim.metric.name(), 100.0 * claim.threshold(), claim.expected)}</p>
            <h4>{"Committed native results"}</h4>
            { committed_view(claim, committed.as_ref().as_ref()) }
            <details class="claim-notes">
                <summary>{"Verdict rule, caveats and what the negative side can show"}</summary>
                <p>{claim.rule()}</p>
                <p>{claim.caveats}</p>
                <p>{claim.negative_note}</p>
            </details>
            <h4>{"Construction"}</h4>
            { match construction {
                Some((name, sizes)) => html! {
                    <ClaimConstruction claim={id} construction={name} {sizes} loaded={props.loaded.clone()}
                        busy={props.busy} on_load={props.on_load.clone()} on_mode={props.on_mode.clone()} />
                },
                None => html! { <p class="hint claim-none">{"No construction yet: the positive side is shown by training only."}</p> },
            } }
            <h4>{"Check live"}</h4>
            <ClaimLive claim={id} design={live::describe(claim)} live={props.live.clone()}
                elsewhere={props.live_elsewhere} on_check={props.on_check.clone()} on_cancel={props.on_cancel.clone()} />
            </div>
            </details>
        </article>
    }
}
