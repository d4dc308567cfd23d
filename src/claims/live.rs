//! "Check live": a claim's `--quick` grid cut down further so that it runs in a browser tab —
//! the same sizes, widths and seeds, at most [`MAX_STEPS`] training steps and [`MAX_EXAMPLES`]
//! test examples per run. It runs through [`super::run::execute`] and is judged by the same
//! verdict rule as a native grid ([`super::run::verdict`]); at such budgets a trained claim is
//! honestly often inconclusive. MAJORITY trains nothing (the construction under both modes).

use super::claim::{Claim, Design};
use super::run::{self, PlannedRun, Provenance};

/// Training steps per run, at most.
pub const MAX_STEPS: usize = 200;
/// Test examples per run (per seed), at most.
pub const MAX_EXAMPLES: usize = 64;

/// The in-tab design of `claim`: its quick grid with the budget capped.
pub fn design(claim: &Claim) -> Design {
    Design {
        steps: claim.quick.steps.min(MAX_STEPS),
        eval_examples: claim.quick.eval_examples.min(MAX_EXAMPLES),
        ..claim.quick.clone()
    }
}

/// `claim` with its quick design replaced by the in-tab one: run and judge it with
/// `quick = true` (the verdict then says QUICK, as it should).
pub fn claim(claim: &Claim) -> Claim {
    Claim {
        quick: design(claim),
        ..claim.clone()
    }
}

/// Every run of the in-tab check of `claim` (the claim as returned by [`claim`]).
pub fn plan(live: &Claim) -> Vec<PlannedRun> {
    run::plan(live, true)
}

/// What the card says the check runs.
pub fn describe(claim: &Claim) -> String {
    let d = design(claim);
    let runs = run::plan(&self::claim(claim), true).len();
    let list = |v: &[usize]| {
        v.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let budget = if d.steps == 0 {
        "no training (the construction is evaluated)".to_string()
    } else {
        format!("{} steps of batch {} per run", d.steps, d.batch_size)
    };
    format!(
        "{runs} runs: N ∈ {{{}}}, widths {{{}}}, {} seeds, {budget}, {} test examples per seed",
        list(d.sizes),
        list(d.widths),
        d.seeds.len(),
        d.eval_examples
    )
}

/// Where an in-tab record comes from.
pub fn provenance(claim_id: &str) -> Provenance {
    Provenance {
        command: format!("check live in the page ({claim_id})"),
        commit: String::new(),
        machine: "this browser tab".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::registry;

    #[test]
    fn every_live_check_is_small_and_keeps_the_rules() {
        for c in registry::all() {
            let d = design(&c);
            assert!(
                d.steps <= MAX_STEPS && d.eval_examples <= MAX_EXAMPLES,
                "{}",
                c.id
            );
            assert!(d.seeds.len() >= 3, "{}: fewer than 3 seeds", c.id);
            assert!(d.sizes.len() >= 2, "{}: one size shows no growth", c.id);
            let runs = plan(&claim(&c)).len();
            // What a tab does in a minute or two on the CPU backend.
            assert!(runs * d.steps.max(1) <= 8_000, "{}: {runs} runs", c.id);
            assert!(
                describe(&c).starts_with(&format!("{runs} runs")),
                "{}",
                c.id
            );
        }
    }

    // Native only: blocks on the evaluation (no executor on wasm32 here).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_live_majority_check_reaches_the_native_verdict() {
        let c = claim(&registry::find("majority").unwrap());
        let device = burn::prelude::Device::flex();
        let provenance = provenance(c.id);
        let records: Vec<_> = plan(&c)
            .iter()
            .map(|r| {
                pollster::block_on(run::execute(&c, true, r, &device, &provenance, |_| true))
                    .unwrap()
            })
            .collect();
        let v = run::verdict(&c, true, &records);
        assert_eq!(
            v.outcome,
            crate::claims::verdict::Outcome::Supported,
            "{}",
            v.summary
        );
        assert!(v.summary.starts_with("QUICK"), "{}", v.summary);
        let hard_largest = v
            .cells
            .iter()
            .find(|cell| cell.series == "construction/hard" && cell.size == 255)
            .unwrap();
        assert!(hard_largest.accuracy.high < 0.8, "{hard_largest:?}");
    }
}
