//! A grid that has not finished: what it lacks and what the rest would cost. A claim whose
//! deciding grid does not fit the compute at hand is committed part-done, INCONCLUSIVE, with
//! the runs it still needs and an estimate of their run time, and resumes later (`lab claims
//! run` skips the runs already in its file). The part-done verdict judges only the sizes whose
//! every run is in (the plan runs size by size), so that a size half done does not read as a
//! width not reached.

use std::collections::{BTreeMap, BTreeSet};

use super::claim::Claim;
use super::design_id::design_hash;
pub use super::missing::{Missing, MissingCell};
use super::run::{GridRecord, PlannedRun, plan, verdict_with};
use super::sides::ConstructionCheck;
use super::verdict::{Outcome, Verdict};

/// Seconds per trained step of `series` at `width`, measured at the largest size up to `size`
/// (else the smallest above it), scaled linearly with the size (a step's cost grows with the
/// sequence length, which grows with N for every claim's task).
fn seconds_per_step(
    records: &[GridRecord],
    series: &str,
    width: usize,
    size: usize,
) -> Option<f64> {
    let measured: Vec<(usize, f64)> = records
        .iter()
        .filter(|r| r.series == series && r.width == width && r.construction.is_none())
        .filter_map(|r| {
            let steps = r.steps_trained.unwrap_or(r.steps);
            (steps > 0 && r.seconds > 0.0).then(|| (r.size, r.seconds / steps as f64))
        })
        .collect();
    let below = measured
        .iter()
        .filter(|(n, _)| *n <= size)
        .max_by_key(|(n, _)| *n);
    let above = measured
        .iter()
        .filter(|(n, _)| *n > size)
        .min_by_key(|(n, _)| *n);
    let &(at, per_step) = below.or(above)?;
    // The slowest seed measured at that size: an upper estimate.
    let per_step = measured
        .iter()
        .filter(|(n, _)| *n == at)
        .map(|(_, s)| *s)
        .fold(per_step, f64::max);
    Some(per_step * size as f64 / at as f64)
}

/// What `records` lack of `claim`'s grid, `None` when it is complete.
pub fn missing(claim: &Claim, quick: bool, records: &[GridRecord]) -> Option<Missing> {
    let planned = plan(claim, quick);
    let have: BTreeSet<_> = records.iter().map(GridRecord::key).collect();
    let absent: Vec<&PlannedRun> = planned
        .iter()
        .filter(|r| !have.contains(&r.key()))
        .collect();
    if absent.is_empty() {
        return None;
    }
    let steps = claim.design(quick).steps;
    let mut cells: BTreeMap<(usize, usize, String), Vec<u64>> = BTreeMap::new();
    for run in &absent {
        cells
            .entry((run.size, run.width, run.series.name.to_string()))
            .or_default()
            .push(run.seed);
    }
    let cells: Vec<MissingCell> = cells
        .into_iter()
        .map(|((size, width, series), seeds)| {
            let estimated_seconds = if claim
                .series_named(&series)
                .is_some_and(|s| s.construction_mode.is_some())
            {
                Some(0.0)
            } else {
                seconds_per_step(records, &series, width, size)
                    .map(|s| s * steps as f64 * seeds.len() as f64)
            };
            MissingCell {
                series,
                size,
                width,
                seeds,
                estimated_seconds,
            }
        })
        .collect();
    let incomplete: BTreeSet<usize> = cells.iter().map(|c| c.size).collect();
    let sizes: BTreeSet<usize> = planned.iter().map(|r| r.size).collect();
    Some(Missing {
        done: planned.len() - absent.len(),
        planned: planned.len(),
        complete_sizes: sizes.difference(&incomplete).copied().collect(),
        estimated_seconds: cells.iter().map(|c| c.estimated_seconds).sum(),
        cells,
    })
}

/// The verdict on `records` of `claim`'s grid: the ordinary one when the grid is complete;
/// otherwise INCONCLUSIVE, judged on the complete sizes only, carrying what is missing and
/// its cost. The positive side keeps its checks on the complete sizes and says so.
pub fn verdict(
    claim: &Claim,
    quick: bool,
    records: &[GridRecord],
    construction: Vec<ConstructionCheck>,
) -> Verdict {
    let Some(missing) = missing(claim, quick, records) else {
        return verdict_with(claim, quick, records, construction);
    };
    let judged: Vec<GridRecord> = records
        .iter()
        .filter(|r| missing.complete_sizes.contains(&r.size))
        .cloned()
        .collect();
    let construction = construction
        .into_iter()
        .filter(|c| missing.complete_sizes.contains(&c.size))
        .collect();
    // Judged as the grid of the complete sizes (its smallest and largest N are theirs), then
    // labelled with the real grid's design. A few bytes leaked per part-done verdict: the
    // design's sizes are `'static`, and this runs once per command.
    let mut judged_claim = claim.clone();
    let sizes: &'static [usize] = Box::leak(missing.complete_sizes.clone().into_boxed_slice());
    if quick {
        judged_claim.quick.sizes = sizes;
    } else {
        judged_claim.full.sizes = sizes;
    }
    let mut verdict = verdict_with(&judged_claim, quick, &judged, construction);
    verdict.design = Some(design_hash(claim, quick));
    let line = missing.describe();
    verdict.summary = format!("{line}. What the complete sizes show: {}", verdict.summary);
    verdict.outcome = Outcome::Inconclusive;
    if let Some(side) = verdict.positive_side.as_mut() {
        let sizes: Vec<String> = missing
            .complete_sizes
            .iter()
            .map(usize::to_string)
            .collect();
        side.summary = format!(
            "{} (on the complete sizes only: N = {})",
            side.summary,
            if sizes.is_empty() {
                "none".into()
            } else {
                sizes.join(", ")
            }
        );
    }
    verdict.missing = Some(missing);
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::registry;
    use crate::claims::run::Provenance;

    fn record(claim: &Claim, run: &PlannedRun, seconds: f64, trained: Option<usize>) -> GridRecord {
        GridRecord {
            claim: claim.id.into(),
            quick: false,
            series: run.series.name.into(),
            architecture: String::new(),
            layers: 1,
            width: run.width,
            size: run.size,
            seed: run.seed,
            steps: claim.full.steps,
            batch_size: 32,
            learning_rate: run.series.learning_rate,
            construction: None,
            attention: "softmax".into(),
            metric: claim.metric,
            accuracy: 0.5,
            teacher_forced: 0.5,
            answer: 0.5,
            final_loss: Some(1.0),
            correct: "01".into(),
            validation: None,
            design: None,
            steps_trained: trained,
            steps_to_threshold: None,
            reproduce: None,
            seconds,
            provenance: Provenance {
                command: String::new(),
                commit: String::new(),
                machine: String::new(),
            },
        }
    }

    #[test]
    fn a_complete_grid_lacks_nothing_and_a_part_done_one_names_its_cells_and_cost() {
        let claim = registry::find("index-lookup").unwrap();
        let planned = plan(&claim, false);
        let all: Vec<GridRecord> = planned
            .iter()
            .map(|r| record(&claim, r, r.size as f64, None))
            .collect();
        assert_eq!(missing(&claim, false, &all), None);
        // Every run of the largest size missing but one.
        let largest = *claim.full.sizes.last().unwrap();
        let kept: Vec<GridRecord> = all
            .iter()
            .filter(|r| r.size < largest || (r.width == 8 && r.seed == 1 && r.series == "lstm"))
            .cloned()
            .collect();
        let m = missing(&claim, false, &kept).unwrap();
        assert_eq!(m.done, kept.len());
        assert_eq!(m.planned, planned.len());
        assert_eq!(m.complete_sizes, vec![4, 8, 16, 32]);
        assert!(m.cells.iter().all(|c| c.size == largest));
        let lstm8 = m
            .cells
            .iter()
            .find(|c| c.series == "lstm" && c.width == 8)
            .unwrap();
        assert_eq!(lstm8.seeds, vec![2, 3]);
        // Measured at N = 64 itself: 64 s for the whole budget, per seed.
        assert_eq!(lstm8.estimated_seconds, Some(128.0));
        // Measured at N = 32 only: 32 s, scaled to N = 64, three seeds.
        let t16 = m
            .cells
            .iter()
            .find(|c| c.series == "transformer-1L" && c.width == 16)
            .unwrap();
        assert_eq!(t16.estimated_seconds, Some(3.0 * 64.0));
        assert!(m.describe().contains("N = 64"), "{}", m.describe());
        // The verdict judges N = 4 … 32 only and cannot be decided.
        let v = verdict(&claim, false, &kept, Vec::new());
        assert_eq!(v.outcome, Outcome::Inconclusive);
        assert!(v.summary.starts_with("part-done grid"), "{}", v.summary);
        assert!(v.cells.iter().all(|c| c.size < largest));
        assert_eq!(v.missing.as_ref().map(|m| m.planned), Some(planned.len()));
        assert_eq!(v.design, Some(design_hash(&claim, false)));
        // Judged from N = 4 to N = 32, the largest complete size, not to the missing N = 64.
        assert!(!v.summary.contains("runs missing at"), "{}", v.summary);
        // A grid with no complete size yet still gets a verdict, with nothing judged.
        let one = verdict(&claim, false, &all[..1], Vec::new());
        assert_eq!(one.outcome, Outcome::Inconclusive);
        assert!(one.cells.is_empty() && one.missing.is_some());
        let whole = verdict(&claim, false, &all, Vec::new());
        assert_eq!(whole.missing, None);
        assert!(whole.cells.iter().any(|c| c.size == largest));
    }

    #[test]
    fn a_run_stopped_early_is_costed_per_step_trained() {
        let claim = registry::find("index-lookup").unwrap();
        let planned = plan(&claim, false);
        let first = &planned[0];
        // 10 s for 500 of 6,000 steps: 120 s for the budget.
        let done = vec![record(&claim, first, 10.0, Some(500))];
        let m = missing(&claim, false, &done).unwrap();
        let cell = m
            .cells
            .iter()
            .find(|c| {
                c.series == first.series.name && c.size == first.size && c.width == first.width
            })
            .unwrap();
        assert_eq!(
            cell.estimated_seconds,
            Some(120.0 * cell.seeds.len() as f64)
        );
        // Cells of another width were never measured: the total is unknown.
        assert_eq!(m.estimated_seconds, None);
        assert!(m.describe().contains("unknown"));
    }
}
