//! Running a claim's grid: every (size, width, series, seed), one JSON line per finished run
//! appended to the output as it finishes, so an interrupted grid resumes (runs already in the
//! file are skipped); `Shard` takes a deterministic 1/n of the grid and [`merge`] joins the
//! parts. Each record holds the per-example correctness bits the bootstrap resamples.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use burn::prelude::Device;

use super::claim::Claim;
use super::construct::ConstructError;
use super::design_id::{design_hash, earlier_design_hash};
pub use super::error::ClaimError;
pub use super::execute::execute;
use super::execute::{construction_scores, share};
pub use super::plan::{PlannedRun, RunKey, Shard, plan};
pub use super::record::{GridRecord, Provenance};
use super::sides::ConstructionCheck;
use super::verdict::{Observation, Verdict, judge_with};
use crate::files::{self, Existing, Output};

/// The largest results file read (a full grid is a few MB).
pub const RESULTS_CAP: u64 = 256 << 20;

/// A records error, naming the file it is in.
fn in_file(path: &Path, e: ClaimError) -> ClaimError {
    match e {
        ClaimError::Records(message) => {
            ClaimError::Records(format!("{}: {message}", path.display()))
        }
        other => other,
    }
}

/// The records of a JSON-lines file. A last line cut short (no newline and not a record: the
/// run was interrupted while writing) is dropped; returns the records and the length of the
/// text that holds them.
pub fn parse_records(text: &str) -> Result<(Vec<GridRecord>, usize), ClaimError> {
    let mut records = Vec::new();
    let mut consumed = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim();
        if !body.is_empty() {
            match serde_json::from_str::<GridRecord>(body) {
                Ok(r) => {
                    r.validate()
                        .map_err(|e| ClaimError::Records(format!("line {}: {e}", number + 1)))?;
                    records.push(r);
                }
                // Cut short while being written: only after a record of ours (a file whose
                // one line is not a record is not a results file, cut or not).
                Err(_) if !line.ends_with('\n') && !records.is_empty() => break,
                Err(e) if records.is_empty() => {
                    return Err(ClaimError::Records(format!(
                        "not a results file of `lab claims` (line {} is not a run record: {e})",
                        number + 1
                    )));
                }
                Err(e) => {
                    return Err(ClaimError::Records(format!(
                        "line {}: not a run record: {e}",
                        number + 1
                    )));
                }
            }
        }
        consumed += line.len();
    }
    Ok((records, consumed))
}

/// Every record must belong to `claim`'s grid (same claim, same quick flag, a planned run made
/// with the settings the grid has now: steps, learning rate, architecture, layers, test
/// examples) and appear once. A record of an older design (another budget or rate) is refused,
/// naming what differs, so a resumed or merged grid never mixes two experiments.
pub fn check_records(claim: &Claim, quick: bool, records: &[GridRecord]) -> Result<(), ClaimError> {
    let runs = plan(claim, quick);
    let planned: std::collections::BTreeMap<RunKey, &PlannedRun> =
        runs.iter().map(|r| (r.key(), r)).collect();
    let design = claim.design(quick);
    let hash = design_hash(claim, quick);
    // Only a faithful extension carries the earlier runs over.
    let earlier = design
        .extension_error()
        .is_none()
        .then(|| earlier_design_hash(claim, quick))
        .flatten();
    let mut seen = BTreeSet::new();
    for r in records {
        if r.claim != claim.id || r.quick != quick {
            return Err(ClaimError::Records(format!(
                "a run of claim `{}`{} is not part of `{}`{}",
                r.claim,
                if r.quick { " (quick)" } else { "" },
                claim.id,
                if quick { " (quick)" } else { "" }
            )));
        }
        // A run of the earlier design this one extends with restarts is the same run here.
        let extended =
            |d: &String| earlier.as_ref() == Some(d) && design.earlier_seeds().contains(&r.seed);
        if let Some(theirs) = r.design.as_ref().filter(|d| **d != hash && !extended(d)) {
            return Err(ClaimError::Records(format!(
                "{} was run under design {theirs} of `{}`, which now has design {hash} (its \
                 grid, budget, rates or task generator changed): move the old results away or \
                 rerun them",
                r.key(),
                claim.id
            )));
        }
        let key = r.key();
        let Some(run) = planned.get(&key) else {
            return Err(ClaimError::Records(format!(
                "{key} is not in the grid of `{}`",
                claim.id
            )));
        };
        let trained = run.series.construction_mode.is_none();
        let expected_steps = if trained { design.steps } else { 0 };
        let differs = [
            ("steps", r.steps != expected_steps),
            (
                "learning rate",
                trained && r.learning_rate != run.series.learning_rate,
            ),
            (
                "architecture",
                r.architecture != run.series.architecture.name(),
            ),
            ("layers", r.layers != run.series.layers),
            ("test examples", r.correct.len() != design.eval_examples),
        ];
        if let Some((what, _)) = differs.iter().find(|(_, d)| *d) {
            return Err(ClaimError::Records(format!(
                "{key} was run with another {what} than the grid of `{}` has now (an older \
                 design?): move the old results away or rerun them",
                claim.id
            )));
        }
        if !seen.insert(key.clone()) {
            return Err(ClaimError::Records(format!("{key} appears twice")));
        }
    }
    Ok(())
}

/// Join the parts of `claim`'s grid; refuses runs of another claim (or quick and full
/// mixed). A run present in two parts (overlapping shards, e.g. shard 1/2 split into 1/4 and
/// 3/4 half-way) is kept once when both records hold the same result (same test answers and
/// final loss: training is deterministic on one backend and one kind of CPU) and refused when
/// they differ (parts run on machines whose matrix kernels round differently can disagree).
pub fn merge(
    claim: &Claim,
    quick: bool,
    parts: &[Vec<GridRecord>],
) -> Result<Vec<GridRecord>, ClaimError> {
    let mut first: std::collections::HashMap<RunKey, &GridRecord> = Default::default();
    let mut all = Vec::new();
    for r in parts.iter().flatten() {
        // Every record is checked against the grid, a duplicate too (a record of another
        // grid must not vanish as a duplicate of one of this grid's).
        check_records(claim, quick, std::slice::from_ref(r))?;
        match first.get(&r.key()) {
            None => {
                first.insert(r.key(), r);
                all.push(r.clone());
            }
            Some(kept) if same_result(kept, r) => {}
            Some(_) => {
                return Err(ClaimError::Records(format!(
                    "{} appears twice with different results (another backend, CPU or code?): \
                     keep one",
                    r.key()
                )));
            }
        }
    }
    if all.is_empty() {
        return Err(ClaimError::Records("the parts hold no runs".into()));
    }
    check_records(claim, quick, &all)?;
    Ok(sorted(claim, quick, all))
}

/// Two records of one run that agree on everything the verdict reads.
fn same_result(a: &GridRecord, b: &GridRecord) -> bool {
    a.correct == b.correct
        && a.accuracy == b.accuracy
        && a.final_loss == b.final_loss
        && a.steps == b.steps
        && a.learning_rate == b.learning_rate
}

/// Records in plan order.
fn sorted(claim: &Claim, quick: bool, mut records: Vec<GridRecord>) -> Vec<GridRecord> {
    let order: std::collections::HashMap<RunKey, usize> = plan(claim, quick)
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key(), i))
        .collect();
    records.sort_by_key(|r| order.get(&r.key()).copied());
    records
}

/// What [`run_grid`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct GridReport {
    /// Runs of this shard.
    pub planned: usize,
    /// Of those, already in the output.
    pub skipped: usize,
    pub ran: usize,
    /// Every record now in the output.
    pub records: Vec<GridRecord>,
    /// Whether the output holds the whole grid (every shard).
    pub complete: bool,
}

/// Progress of [`run_grid`].
pub enum GridEvent<'a> {
    /// Run `index` (from 1) of `total` to do starts.
    Started {
        index: usize,
        total: usize,
        run: &'a PlannedRun,
    },
    Step(usize),
    Finished(&'a GridRecord),
}

/// The records already in the results file `out` (none when it does not exist), checked
/// before anything is written: `out` must be absent or a results file of this grid — anything
/// else (a user's notes, another claim's or design's results, a device) is refused with its
/// name. With the records comes the text to write back when the file ends in a line cut short
/// (dropped) or without a newline (ended), so that appends start on a fresh line.
pub fn existing_records(
    claim: &Claim,
    quick: bool,
    out: &Path,
) -> Result<(Vec<GridRecord>, Option<String>), ClaimError> {
    let io = |e: String| ClaimError::Io {
        path: out.display().to_string(),
        error: e,
    };
    let Some(text) = files::read_text_if_exists(out, RESULTS_CAP).map_err(io)? else {
        Output::check(out, Existing::Refuse, "--force").map_err(io)?;
        return Ok((Vec::new(), None));
    };
    let (records, consumed) = parse_records(&text).map_err(|e| in_file(out, e))?;
    check_records(claim, quick, &records).map_err(|e| in_file(out, e))?;
    let mut kept = text[..consumed].to_string();
    if !kept.is_empty() && !kept.ends_with('\n') {
        kept.push('\n');
    }
    Ok((records, (kept != text).then_some(kept)))
}

/// Run this shard of `claim`'s grid into the JSON-lines file `out`, skipping runs already in
/// it and appending each finished run.
pub async fn run_grid(
    claim: &Claim,
    quick: bool,
    shard: Shard,
    out: &Path,
    device: &Device,
    provenance: &Provenance,
    mut on_event: impl FnMut(GridEvent<'_>),
) -> Result<GridReport, ClaimError> {
    let io = |e: String| ClaimError::Io {
        path: out.display().to_string(),
        error: e,
    };
    let (mut records, repaired) = existing_records(claim, quick, out)?;
    if let Some(kept) = repaired {
        Output::check(out, Existing::Replace, "--force")
            .and_then(|output| output.write(kept.as_bytes()))
            .map_err(io)?;
    }
    let done: BTreeSet<RunKey> = records.iter().map(GridRecord::key).collect();
    let mine = shard.select(plan(claim, quick));
    let planned = mine.len();
    let todo: Vec<PlannedRun> = mine
        .into_iter()
        .filter(|r| !done.contains(&r.key()))
        .collect();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .map_err(|e| io(e.to_string()))?;
    for (i, run) in todo.iter().enumerate() {
        on_event(GridEvent::Started {
            index: i + 1,
            total: todo.len(),
            run,
        });
        let record = execute(claim, quick, run, device, provenance, |step| {
            on_event(GridEvent::Step(step));
            true
        })
        .await?;
        let line =
            serde_json::to_string(&record).map_err(|e| ClaimError::Records(e.to_string()))?;
        file.write_all(format!("{line}\n").as_bytes())
            .map_err(|e| io(e.to_string()))?;
        on_event(GridEvent::Finished(&record));
        records.push(record);
    }
    let records = sorted(claim, quick, records);
    Ok(GridReport {
        planned,
        skipped: planned - todo.len(),
        ran: todo.len(),
        complete: records.len() == plan(claim, quick).len(),
        records,
    })
}

/// The verdict on a set of records (normally the whole grid).
pub fn verdict(claim: &Claim, quick: bool, records: &[GridRecord]) -> Verdict {
    verdict_with(claim, quick, records, Vec::new())
}

/// [`verdict`] with the construction's checks at the grid's sizes ([`construction_checks`]).
pub fn verdict_with(
    claim: &Claim,
    quick: bool,
    records: &[GridRecord],
    construction: Vec<ConstructionCheck>,
) -> Verdict {
    let observations: Vec<Observation> = records.iter().map(GridRecord::observation).collect();
    judge_with(claim, quick, &observations, construction)
}

/// The claim's construction (a width claim's positive side) evaluated at every size of the grid
/// on the test examples of every seed, under its own attention mode; a size it cannot be built
/// for is a row with the reason. Empty for a claim without one (or an existence claim, whose
/// constructions are series of the grid).
pub async fn construction_checks(
    claim: &Claim,
    quick: bool,
    device: &Device,
) -> Result<Vec<ConstructionCheck>, ClaimError> {
    let Some(name) = claim.construction else {
        return Ok(Vec::new());
    };
    if claim.kind == super::Kind::Existence {
        return Ok(Vec::new());
    }
    let design = claim.design(quick);
    let plain = device.clone().without_autodiff();
    let mut checks = Vec::new();
    for &size in design.sizes {
        let scored =
            construction_scores(name, size, None, design.seeds, design.eval_examples, &plain).await;
        checks.push(match scored {
            Ok((width, scores)) => ConstructionCheck {
                size,
                width,
                accuracy: share(&scores, |s| s.exact),
                error: None,
            },
            // A size the construction is not built for is a row with the reason.
            Err(ClaimError::Construct(e @ ConstructError::Size { .. })) => ConstructionCheck {
                size,
                width: 0,
                accuracy: f64::NAN,
                error: Some(e.to_string()),
            },
            Err(e) => return Err(e),
        });
    }
    Ok(checks)
}

/// JSON lines of `records` (the format of a grid's output).
pub fn to_json_lines(records: &[GridRecord]) -> Result<String, ClaimError> {
    let mut out = String::new();
    for r in records {
        out.push_str(&serde_json::to_string(r).map_err(|e| ClaimError::Records(e.to_string()))?);
        out.push('\n');
    }
    Ok(out)
}

/// One CSV row per run (the correctness bits stay in the JSON).
pub fn to_csv(records: &[GridRecord]) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from(
        "claim,quick,series,architecture,layers,width,size,seed,steps,learning_rate,metric,accuracy,teacher_forced,answer,examples,seconds,commit,machine,command\n",
    );
    for r in records {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{:.4},{:.4},{:.4},{},{:.1},{},{},{}\n",
            r.claim,
            r.quick,
            r.series,
            r.architecture,
            r.layers,
            r.width,
            r.size,
            r.seed,
            r.steps,
            r.learning_rate,
            r.metric.name(),
            r.accuracy,
            r.teacher_forced,
            r.answer,
            r.correct.len(),
            r.seconds,
            quote(&r.provenance.commit),
            quote(&r.provenance.machine),
            quote(&r.provenance.command)
        ));
    }
    out
}
