//! A claim's design as a short hash: what its grid plans (sizes, widths, seeds, budget, test
//! examples, every series with its tuned learning rate), what it judges (metric, threshold) and
//! the examples its task generates (a generator changed since a grid ran changes the hash, as
//! equality's did). Every run record and verdict carries it; records of another design are
//! refused when a grid resumes or merges.

use serde_json::json;

use super::claim::Claim;
use super::plan::plan;
use crate::tasks::TaskSpec;
use crate::train::held_out::held_out;

/// Examples of the smallest size whose tokens fingerprint the task's generator.
const FINGERPRINT_EXAMPLES: usize = 16;

/// The design hash of `claim`'s grid (the full one or `--quick`): 16 hex digits of FNV-1a
/// over a canonical JSON of everything above.
pub fn design_hash(claim: &Claim, quick: bool) -> String {
    let design = claim.design(quick);
    let series: Vec<_> = plan(claim, quick)
        .into_iter()
        .map(|r| json!([r.series, r.width]))
        .collect();
    let fingerprint: Vec<Vec<u32>> = design
        .sizes
        .iter()
        .min()
        .and_then(|&n| TaskSpec::new(claim.task, n).build().ok())
        .map(|task| {
            held_out(task.as_ref(), 1, FINGERPRINT_EXAMPLES)
                .into_iter()
                .map(|ex| ex.tokens)
                .collect()
        })
        .unwrap_or_default();
    let canonical = json!({
        "claim": claim.id,
        "quick": quick,
        "task": claim.task.name(),
        "metric": claim.metric,
        "threshold": claim.threshold(),
        "design": design,
        "series": series,
        "generator": fingerprint,
    })
    .to_string();
    let hash = canonical.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The hash of the design `claim`'s grid extends ([`super::Design::extends`]), as its
/// committed records carry it; `None` when the grid extends nothing.
pub fn earlier_design_hash(claim: &Claim, quick: bool) -> Option<String> {
    let earlier = claim.design(quick).extends?.clone();
    let claim = if quick {
        Claim {
            quick: earlier,
            ..claim.clone()
        }
    } else {
        Claim {
            full: earlier,
            ..claim.clone()
        }
    };
    Some(design_hash(&claim, quick))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::registry;

    /// Every extended design only adds restarts, and equality's names the design its
    /// committed first grid ran under (the hash its 54 records carry).
    #[test]
    fn extended_designs_only_add_restarts_to_the_committed_ones() {
        for claim in registry::all() {
            for quick in [false, true] {
                assert_eq!(claim.design(quick).extension_error(), None, "{}", claim.id);
            }
        }
        let equality = registry::find("equality").unwrap();
        assert_eq!(
            earlier_design_hash(&equality, false).as_deref(),
            Some("2155629afaf593d4")
        );
        assert_eq!(equality.full.earlier_seeds(), &[1, 2, 3]);
        assert_eq!(earlier_design_hash(&equality, true), None);
    }

    #[test]
    fn a_design_hash_is_stable_and_tells_grids_apart() {
        let claim = registry::find("index-lookup").unwrap();
        let full = design_hash(&claim, false);
        assert_eq!(full, design_hash(&claim, false));
        assert_eq!(full.len(), 16);
        assert_ne!(full, design_hash(&claim, true));
        let dyck = registry::find("dyck").unwrap();
        assert_ne!(full, design_hash(&dyck, false));
        // Another budget is another design.
        let mut longer = claim.clone();
        longer.full.steps += 1;
        assert_ne!(full, design_hash(&longer, false));
    }

    /// A stopping margin is part of the design (and absent from the hash of a design without
    /// one, so the committed designs keep theirs); runs then stop at the threshold plus it.
    #[test]
    fn a_stop_margin_is_another_design_and_raises_the_stopping_level() {
        let claim = registry::find("locality").unwrap();
        let threshold = claim.threshold();
        assert_eq!(claim.full.stopping(threshold).level, threshold);
        let mut firmer = claim.clone();
        firmer.full.stop_margin = 0.03;
        assert_ne!(design_hash(&claim, false), design_hash(&firmer, false));
        let stopping = firmer.full.stopping(threshold);
        assert_eq!(stopping.check_every, claim.full.check_every);
        assert!((stopping.level - (threshold + 0.03)).abs() < 1e-12);
        firmer.full.stop_margin = 0.5;
        assert_eq!(
            firmer.full.stopping(threshold).level,
            1.0,
            "at most every answer"
        );
    }
}
