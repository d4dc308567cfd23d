//! `lab claims list | show NAME | run NAME [--quick] [--shard i/n] --out FILE | tune NAME
//! [--quick] --out FILE | merge PARTS… --out FILE`: a claim's grid run natively, resumable and sharded, judged by its verdict rule.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use expressivity_lab::claims::design_id::{self, design_hash};
use expressivity_lab::claims::run::{
    self, GridEvent, GridRecord, Provenance, Shard, parse_records, to_csv, to_json_lines,
};
use expressivity_lab::claims::{
    Claim, Verdict, partial, rates, registry, reproduce, results, tune,
};
use expressivity_lab::files::{self, Output};

use crate::device_arg::DeviceArg;
use crate::{out_path, outln, outprint};

#[derive(Subcommand)]
pub enum ClaimsCommand {
    /// List the claims with their sides and grids.
    List,
    /// Your own grid (the page's "Your own grid"), on the engine of the claims' grids: one
    /// task, sizes × widths × architectures, one seed a run; JSON lines at --out (resumed),
    /// then accuracy per cell and w*(N) per series beside the constant predictor. Tests no
    /// claim.
    Grid(crate::grid_cmd::GridArgs),
    /// Print one claim's card: statement, sides, experiment, verdict rule, caveats.
    Show { name: String },
    /// Run a claim's grid (or one shard of it), appending one JSON line per finished run to
    /// --out; runs already there are skipped. Prints the verdict once the grid is complete.
    Run {
        name: String,
        /// The reduced grid and budget (a couple of minutes on 2 cores), labelled quick.
        #[arg(long)]
        quick: bool,
        /// Run only the i-th of n deterministic parts of the grid (1 ≤ i ≤ n).
        #[arg(long, default_value = "1/1")]
        shard: String,
        /// JSON lines of the runs; the CSV and the verdict (.verdict.json) go next to it.
        /// Appended to only when it holds runs of this grid; anything else is refused.
        #[arg(long)]
        out: PathBuf,
        /// Replace a CSV or verdict file beside --out that is not this claim's.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        device: DeviceArg,
    },
    /// The recorded learning-rate search: every trained series at the grid's smallest size (or
    /// its design's search size) and middle width (every width with a rate per width), on a
    /// seed the grid does not use, at 1e-3, 3e-3 and 1e-2; writes every trial and the best rate
    /// per series as JSON (the registry sets those rates).
    Tune {
        name: String,
        /// Search at the quick grid's size, width and budget.
        #[arg(long)]
        quick: bool,
        /// Run only the i-th of n deterministic parts of the search (join them with --merge).
        #[arg(long, default_value = "1/1")]
        shard: String,
        /// Join the searches of every shard (written with --shard) instead of running.
        #[arg(long, num_args = 1.., value_name = "PART")]
        merge: Vec<PathBuf>,
        /// The search as JSON (e.g. assets/results/claims/NAME.lr.json); an existing file is
        /// replaced only when it holds a search of this claim.
        #[arg(long)]
        out: PathBuf,
        /// Replace --out whatever it holds.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        device: DeviceArg,
    },
    /// Re-run one cell of a grid alone (the command every run record carries) and, with
    /// --from, hold it against its record: exit 1 when it does not reproduce.
    Reproduce {
        name: String,
        #[arg(long)]
        quick: bool,
        #[arg(long)]
        series: String,
        #[arg(long)]
        size: usize,
        #[arg(long)]
        width: usize,
        #[arg(long)]
        seed: u64,
        /// The results file holding the record to compare with.
        #[arg(long)]
        from: Option<PathBuf>,
        #[command(flatten)]
        device: DeviceArg,
    },
    /// Join the outputs of shards into one file and print the verdict.
    Merge {
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// The joined runs; an existing file must be one of the parts (or --force).
        #[arg(long)]
        out: PathBuf,
        /// Replace --out (and the CSV and verdict beside it) whatever they hold.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(command: ClaimsCommand) -> Result<(), String> {
    match command {
        ClaimsCommand::List => list(),
        ClaimsCommand::Grid(args) => crate::grid_cmd::run(args),
        ClaimsCommand::Show { name } => show(&registry::find(&name)?),
        ClaimsCommand::Run {
            name,
            quick,
            shard,
            out,
            force,
            device,
        } => run_claim(&name, quick, &shard, &out, force, &device),
        ClaimsCommand::Tune {
            name,
            quick,
            shard,
            merge,
            out,
            force,
            device,
        } => match (merge.is_empty(), shard.as_str()) {
            (true, _) => tune(&name, quick, &shard, &out, force, &device),
            (false, "1/1") => tune_merge(&name, quick, &merge, &out, force),
            (false, _) => Err("--merge joins every shard: it takes no --shard".into()),
        },
        ClaimsCommand::Merge { parts, out, force } => merge(&parts, &out, force),
        ClaimsCommand::Reproduce {
            name,
            quick,
            series,
            size,
            width,
            seed,
            from,
            device,
        } => {
            let key = run::RunKey {
                series,
                size,
                width,
                seed,
            };
            reproduce_cell(&name, quick, &key, from.as_deref(), &device)
        }
    }
}

fn list() -> Result<(), String> {
    for c in registry::all() {
        let (full, quick) = (run::plan(&c, false).len(), run::plan(&c, true).len());
        outln!("{:<18} {}", c.id, c.statement);
        outln!(
            "{:<18} {} vs {} · {} · {full} runs ({quick} quick)",
            "",
            c.positive.label,
            c.negative.label,
            c.task.name()
        );
    }
    Ok(())
}

fn show(c: &Claim) -> Result<(), String> {
    outln!("{} — {}", c.id, c.statement);
    outln!("paper: {} ({})", c.paper, c.theorem);
    outln!(
        "sides: {} [{}]  vs  {} [{}]",
        c.positive.label,
        c.positive.series.join(", "),
        c.negative.label,
        c.negative.series.join(", ")
    );
    for (label, quick) in [("full", false), ("quick", true)] {
        let d = c.design(quick);
        let stopping = if d.check_every > 0 {
            format!(
                " (a cap: early stopping at two consecutive validation checks ≥ {:.0} %, every {} steps{})",
                100.0 * d.stopping(c.threshold()).level,
                d.check_every,
                d.curriculum_words()
            )
        } else {
            String::new()
        };
        outln!(
            "{label} grid: {} sizes {:?} · widths {:?} · seeds {:?} · {} steps{stopping} × batch {} · {} test examples per run · {} runs · design {}",
            c.task.name(),
            d.sizes,
            d.widths,
            d.seeds,
            d.steps,
            d.batch_size,
            d.eval_examples,
            run::plan(c, quick).len(),
            design_hash(c, quick)
        );
        if let Some(earlier) = design_id::earlier_design_hash(c, quick) {
            outln!(
                "  extends design {earlier} with restarts: its runs of seeds {} are runs of \
                 this grid and keep its hash",
                join(d.earlier_seeds())
            );
        }
    }
    if c.kind != expressivity_lab::claims::Kind::Existence {
        outln!(
            "positive side's absolute bound: {} (its construction and its best restarts must stay within it)",
            c.positive.bound.describe(c.positive.growth)
        );
    }
    for s in c.series {
        match s.construction_mode {
            Some(mode) => outln!("  {}: construction under {} attention", s.name, mode.name()),
            None if !c.full.restart_rates.is_empty() => outln!(
                "  {}: {} · {} layer(s) · learning rates {} (one per restart: seeds {}; the \
                 verdict takes the restart that validates best)",
                s.name,
                s.architecture.title(),
                s.layers,
                join(c.full.restart_rates),
                join(c.full.seeds),
            ),
            None => outln!(
                "  {}: {} · {} layer(s) · learning rate {} ({})",
                s.name,
                s.architecture.title(),
                s.layers,
                rates::describe(c.id, s, c.full.widths),
                if rates::is_tuned(c.id, s.name) {
                    "from the recorded search"
                } else {
                    "default, not searched"
                }
            ),
        }
    }
    outln!(
        "metric: {} (threshold {:.0} %)",
        c.metric.name(),
        100.0 * c.threshold()
    );
    outln!("expected: {}", c.expected);
    outln!("verdict rule: {}", c.rule());
    outln!(
        "construction: {}",
        c.construction
            .map_or("none yet".to_string(), |n| format!("lab construct {n}"))
    );
    outln!("negative side: {}", c.negative_note);
    outln!("caveats: {}", c.caveats);
    Ok(())
}

/// `lab …` as typed, the commit, the machine and the backend the runs used.
fn provenance(backend: &str) -> Provenance {
    let command = std::iter::once("lab".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let commit = BUILD_COMMIT.to_string();
    let host = files::read_text(Path::new("/etc/hostname"), 4096)
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    if commit.ends_with("-dirty") {
        eprintln!(
            "warning: this lab was built from uncommitted changes: these runs' records will say \
             {commit}, a state no checkout can return to (commit, rebuild, then run)"
        );
    }
    Provenance {
        command,
        commit,
        machine: if backend == "CPU" {
            format!("{host} ({cores} cores)")
        } else {
            format!("{host} ({cores} cores, {backend})")
        },
    }
}

/// The commit this binary was built from (`build.rs`): its HEAD, `…-dirty` when its sources
/// differed from it, "unknown" outside a git checkout. Stamped at build time, so a binary
/// copied aside and run after later commits still names the code it runs.
const BUILD_COMMIT: &str = env!("LAB_BUILD_COMMIT");

fn run_claim(
    name: &str,
    quick: bool,
    shard: &str,
    out: &Path,
    force: bool,
    device: &DeviceArg,
) -> Result<(), String> {
    let claim = registry::find(name)?;
    let shard = Shard::parse(shard)?;
    // The results file first (ours or absent), then the files beside it.
    run::existing_records(&claim, quick, out).map_err(|e| e.to_string())?;
    let companions = companions(out, &claim, force)?;
    let (device, backend) = device.resolve()?;
    outln!("backend: {} ({})", backend.name, backend.reason);
    let plan = shard.select(run::plan(&claim, quick));
    let steps: usize = plan.len() * claim.design(quick).steps.max(1);
    outln!(
        "claim {}{}: {}\nshard {}/{}: {} of {} runs → {}",
        claim.id,
        if quick { " (QUICK)" } else { "" },
        claim.statement,
        shard.index,
        shard.count,
        plan.len(),
        run::plan(&claim, quick).len(),
        out.display()
    );
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {elapsed} (ETA {eta}) · {msg}")
            .map_err(|e| e.to_string())?,
    );
    let per_run = claim.design(quick).steps.max(1) as u64;
    let mut failed: Option<String> = None;
    let mut base = 0u64;
    let report = pollster::block_on(run::run_grid(
        &claim,
        quick,
        shard,
        out,
        &device,
        &provenance(&backend.name),
        |event| match event {
            GridEvent::Started { index, total, run } => {
                base = (index as u64 - 1) * per_run;
                bar.set_length(total as u64 * per_run);
                bar.set_position(base);
                bar.set_message(format!("run {index}/{total}: {}", run.key()));
            }
            GridEvent::Step(step) => bar.set_position(base + step as u64),
            GridEvent::Finished(r) => {
                let line = format!(
                    "{:<24} N = {:>4} width {:>3} seed {}: {:.3} ({:.0} s)",
                    r.series, r.size, r.width, r.seed, r.accuracy, r.seconds
                );
                // Without a terminal (a log file) the line is written as the run ends.
                if !bar.is_hidden() {
                    bar.println(line);
                } else if failed.is_none() {
                    failed = crate::out::write(format_args!("{line}"), true).err();
                }
            }
        },
    ));
    bar.finish_and_clear();
    if let Some(e) = failed {
        return Err(e);
    }
    let report = report.map_err(|e| e.to_string())?;
    outln!(
        "{} run(s) done, {} already in {} (skipped)",
        report.ran,
        report.skipped,
        out.display()
    );
    finish(&claim, quick, &report.records, out, &companions)
}

/// The CSV and verdict files that go next to `out`.
fn tune(
    name: &str,
    quick: bool,
    shard: &str,
    out: &Path,
    force: bool,
    device: &DeviceArg,
) -> Result<(), String> {
    let claim = registry::find(name)?;
    let shard = Shard::parse(shard)?;
    let rates = claim.design(quick).restart_rates;
    if !rates.is_empty() {
        return Err(format!(
            "{}{}: its grid searches the rate itself (each cell's restarts train at {}; the \
             verdict takes the restart that validates best), so there is nothing to tune",
            claim.id,
            if quick { " --quick" } else { "" },
            rates
                .iter()
                .map(f64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let output = search_output(out, &claim, force)?;
    let (device, backend) = device.resolve()?;
    let plan = shard.select(tune::plan(&claim, quick));
    if plan.is_empty() {
        return Err(format!(
            "{}: nothing is trained, no rate to search",
            claim.id
        ));
    }
    let widths: std::collections::BTreeSet<usize> = plan.iter().map(|r| r.width).collect();
    outln!(
        "claim {}{}: learning-rate search, {} runs at N = {}, width {}, seed {} · backend {}",
        claim.id,
        if quick { " (QUICK)" } else { "" },
        plan.len(),
        plan[0].size,
        widths
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        plan[0].seed,
        backend.name
    );
    let steps = claim.design(quick).steps.max(1) as u64;
    let bar = ProgressBar::new(plan.len() as u64 * steps);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {elapsed} (ETA {eta})")
            .map_err(|e| e.to_string())?,
    );
    let done = std::cell::Cell::new(0u64);
    let failed: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    let search = pollster::block_on(tune::run_search(
        &claim,
        quick,
        shard,
        &device,
        &provenance(&backend.name),
        |i, n, t| {
            done.set(i as u64 * steps);
            let line = format!(
                "[{i}/{n}] {:<16} width {:<4} lr {:<6} {:.3} (loss {}, {} steps, {:.0} s)",
                t.series,
                t.width,
                t.learning_rate,
                t.accuracy,
                t.final_loss.map_or("-".into(), |l| format!("{l:.4}")),
                t.steps_trained.unwrap_or(t.steps),
                t.seconds
            );
            // Without a terminal (a log file) the line is written as the trial ends.
            if !bar.is_hidden() {
                bar.println(line);
            } else if failed.borrow().is_none() {
                *failed.borrow_mut() = crate::out::write(format_args!("{line}"), true).err();
            }
        },
        |step| {
            bar.set_position(done.get() + step as u64);
            true
        },
    ))
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    if shard != Shard::WHOLE {
        outln!(
            "shard {}/{}: the rates are chosen once every shard is joined (--merge)",
            shard.index,
            shard.count
        );
    }
    write_search(&search, &output)
}

/// The output of a search: an existing file only when it holds a search of `claim` (or with
/// `force`).
fn search_output(out: &Path, claim: &Claim, force: bool) -> Result<Output, String> {
    let ours = !force
        && files::read_text_if_exists(out, run::RESULTS_CAP)
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str::<tune::Search>(&text).ok())
            .is_some_and(|s| s.claim == claim.id);
    out_path::output(out, force || ours)
}

/// Join the shards of a search (`tune --shard i/n`) and write the rates they choose.
fn tune_merge(
    name: &str,
    quick: bool,
    parts: &[PathBuf],
    out: &Path,
    force: bool,
) -> Result<(), String> {
    let claim = registry::find(name)?;
    let output = search_output(out, &claim, force)?;
    let mut searches = Vec::with_capacity(parts.len());
    for part in parts {
        let text = files::read_text(part, run::RESULTS_CAP)?;
        let search: tune::Search = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a learning-rate search: {e}", part.display()))?;
        searches.push(search);
    }
    let search = tune::merge(&claim, quick, searches)?;
    outln!(
        "merged {} part(s): {} trials of {}{}",
        parts.len(),
        search.trials.len(),
        claim.id,
        if quick { " (quick)" } else { "" }
    );
    write_search(&search, &output)
}

fn write_search(search: &tune::Search, out: &Output) -> Result<(), String> {
    for (series, lr) in &search.chosen {
        outln!("{series}: learning rate {lr}");
    }
    for c in &search.chosen_per_width {
        outln!(
            "{} width {}: learning rate {}",
            c.series,
            c.width,
            c.learning_rate
        );
    }
    let json = serde_json::to_string_pretty(&search).map_err(|e| e.to_string())?;
    out.write((json + "\n").as_bytes())?;
    outln!("→ {}", out.path().display());
    Ok(())
}

/// The CSV and the verdict beside a results file: replaced when they are this claim's (the
/// CSV's header, the verdict's claim) or with `force`; a user's file there is refused.
fn companions(out: &Path, claim: &Claim, force: bool) -> Result<(Output, Output), String> {
    let header = to_csv(&[]);
    let csv = out_path::companion_output(out, "csv", force, |text| {
        text.lines().next() == header.lines().next()
    })?;
    let verdict = out_path::companion_output(out, "verdict.json", force, |text| {
        results::parse("verdict.json", text).is_ok_and(|c| c.verdict.claim == claim.id)
    })?;
    Ok((csv, verdict))
}

/// Print the verdict and write the CSV and the verdict when the grid is complete.
fn finish(
    claim: &Claim,
    quick: bool,
    records: &[GridRecord],
    out: &Path,
    (csv, verdict_out): &(Output, Output),
) -> Result<(), String> {
    let total = run::plan(claim, quick).len();
    if records.is_empty() {
        outln!("0 of {total} runs in {}: no verdict yet", out.display());
        return Ok(());
    }
    if records.len() < total {
        outln!(
            "{} of {total} runs in {}: the verdict below is part-done, INCONCLUSIVE, judged on \
             the complete sizes (run the rest, or the other shards then `lab claims merge`)",
            records.len(),
            out.display()
        );
    }
    // The positive side's construction at the grid's sizes (on the CPU: small and exact).
    let construction = pollster::block_on(run::construction_checks(
        claim,
        quick,
        &expressivity_lab::train::backend::cpu_device(),
    ))
    .map_err(|e| e.to_string())?;
    let verdict = partial::verdict(claim, quick, records, construction);
    let seconds: f64 = records.iter().map(|r| r.seconds).sum();
    // Runs whose code cannot be checked out again: built from uncommitted changes, or where
    // no commit was known.
    let unreproducible = |commit: &str| commit.ends_with("-dirty") || commit == "unknown";
    let uncommitted = records
        .iter()
        .filter(|r| unreproducible(&r.provenance.commit))
        .count();
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "verdict": verdict,
        "runs": records.len(),
        "run_seconds_total": seconds,
        "commits": distinct(records.iter().map(|r| r.provenance.commit.as_str())),
        "runs_from_uncommitted_code": uncommitted,
        "machines": distinct(records.iter().map(|r| r.provenance.machine.as_str())),
        "commands": distinct(records.iter().map(|r| r.provenance.command.as_str())),
    }))
    .map_err(|e| e.to_string())?;
    verdict_out.write(json.as_bytes())?;
    csv.write(to_csv(records).as_bytes())?;
    print_verdict(claim, &verdict)?;
    if uncommitted > 0 {
        outln!(
            "provenance: {uncommitted} of {} runs came from uncommitted code (commit `…-dirty` \
             or `unknown`): their `reproduce` command cannot check out the code that ran them",
            records.len()
        );
    }
    outln!(
        "{} runs, {:.0} s of run time → {}, {}, {}",
        records.len(),
        seconds,
        out.display(),
        csv.path().display(),
        verdict_out.path().display()
    );
    Ok(())
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<String> = items.map(str::to_string).collect();
    v.sort();
    v.dedup();
    v
}

fn print_verdict(claim: &Claim, v: &Verdict) -> Result<(), String> {
    outln!(
        "\naccuracy ({}), 95 % bootstrap CI over seeds and examples:",
        claim.metric.name()
    );
    for c in &v.cells {
        let best = c.best.as_ref().map_or(String::new(), |b| {
            format!(
                "; best restart {}: {}",
                b.describe(Some(claim.design(v.quick).steps)),
                b.accuracy
            )
        });
        outln!(
            "  {:<24} N = {:>4} width {:>3}: {} ({} seeds pooled){best}",
            c.series,
            c.size,
            c.width,
            c.accuracy,
            c.seeds
        );
    }
    if !v.w_star.is_empty() {
        outln!(
            "\nw*(N): smallest width reaching {:.0} % [95 % CI]; theory = the predicted curve through w* at the smallest N",
            100.0 * v.threshold
        );
        let rows = v.w_star.iter().map(|r| {
            let cell = match r.theory {
                Some(t) => format!("{} (th {t:.0})", r.w_star),
                None => r.w_star.to_string(),
            };
            (r.series.as_str(), r.size, cell)
        });
        print_series_table(rows.collect(), 26)?;
    }
    for t in &v.trivial {
        outln!(
            "trivial predictor (most common completion) at N = {}: {:.1} %{}",
            t.size,
            100.0 * t.share,
            if t.passes_threshold {
                " — PASSES the threshold"
            } else {
                ""
            }
        );
    }
    print_matched_width(v)?;
    print_shortcuts(v)?;
    print_sides(v)?;
    outln!(
        "\nverdict on \"{} vs {}\": {}{}\n{}",
        claim.positive.label,
        claim.negative.label,
        v.outcome.name(),
        if v.quick { " (QUICK grid)" } else { "" },
        v.summary
    );
    outln!("note: {}", claim.negative_note);
    Ok(())
}

fn reproduce_cell(
    name: &str,
    quick: bool,
    key: &run::RunKey,
    from: Option<&Path>,
    device: &DeviceArg,
) -> Result<(), String> {
    let claim = registry::find(name)?;
    let planned = run::plan(&claim, quick)
        .into_iter()
        .find(|r| r.key() == *key)
        .ok_or_else(|| {
            format!(
                "{key} is not in the {}grid of `{}` (lab claims show {} lists it)",
                if quick { "quick " } else { "" },
                claim.id,
                claim.id
            )
        })?;
    // Read the record first: a missing one is an error before minutes of training.
    let recorded = match from {
        None => None,
        Some(path) => {
            let text = files::read_text(path, run::RESULTS_CAP)?;
            let (records, _) =
                parse_records(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let found = records
                .into_iter()
                .find(|r| r.claim == claim.id && r.quick == quick && r.key() == *key);
            Some(found.ok_or_else(|| format!("{}: no record of {key}", path.display()))?)
        }
    };
    let (device, backend) = device.resolve()?;
    outln!(
        "backend: {} ({}); re-running {key}",
        backend.name,
        backend.reason
    );
    let now = pollster::block_on(run::execute(
        &claim,
        quick,
        &planned,
        &device,
        &provenance(&backend.name),
        |_| true,
    ))
    .map_err(|e| e.to_string())?;
    outln!(
        "{key}: {:.1} % ({:.0} s)",
        100.0 * now.accuracy,
        now.seconds
    );
    let Some(recorded) = recorded else {
        return Ok(());
    };
    let result = reproduce::compare(&recorded, &now);
    outln!("{result}");
    if recorded.provenance.commit != BUILD_COMMIT {
        let short = |c: &str| c.chars().take(12).collect::<String>();
        let dirty = |c: &str| if c.ends_with("-dirty") { "-dirty" } else { "" };
        outln!(
            "(the record ran at commit {}{} on {}; this lab was built from {}{})",
            short(&recorded.provenance.commit),
            dirty(&recorded.provenance.commit),
            recorded.provenance.machine,
            short(BUILD_COMMIT),
            dirty(BUILD_COMMIT)
        );
    }
    if result.reproduces {
        Ok(())
    } else {
        Err(format!("{key} does not reproduce its record"))
    }
}

/// The papers' own view: accuracy against N at one matched width (the widest), per series.
fn print_matched_width(v: &Verdict) -> Result<(), String> {
    let Some(width) = v.cells.iter().map(|c| c.width).max() else {
        return Ok(());
    };
    if v.w_star.is_empty() {
        return Ok(());
    }
    let judged = if v.cells.iter().any(|c| c.best.is_some()) {
        "each cell's best restart on validation"
    } else {
        "seeds pooled"
    };
    outln!("\naccuracy against N at matched width {width} ({judged}):");
    let rows = v
        .cells
        .iter()
        .filter(|c| c.width == width)
        .map(|c| (c.series.as_str(), c.size, c.judged().to_string()));
    print_series_table(rows.collect(), 22)?;
    Ok(())
}

/// A table of one cell per (series, N): series as rows in the order given, sizes ascending,
/// "-" where a series has no cell.
fn print_series_table(rows: Vec<(&str, usize, String)>, column: usize) -> Result<(), String> {
    let mut sizes: Vec<usize> = rows.iter().map(|r| r.1).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut series: Vec<&str> = rows.iter().map(|r| r.0).collect();
    series.dedup();
    outprint!("  {:<24}", "series \\ N");
    for n in &sizes {
        outprint!(" {n:>column$}");
    }
    outln!();
    for s in series {
        outprint!("  {s:<24}");
        for n in &sizes {
            let cell = rows
                .iter()
                .find(|r| r.0 == s && r.1 == *n)
                .map_or("-", |r| r.2.as_str());
            outprint!(" {cell:>column$}");
        }
        outln!();
    }
    Ok(())
}

fn print_shortcuts(v: &Verdict) -> Result<(), String> {
    for s in &v.shortcuts {
        outln!(
            "shortcut at N = {}: {:.1} % — {}{}",
            s.size,
            100.0 * s.floor.accuracy,
            s.floor.rule,
            if s.passes_threshold {
                " — PASSES the threshold"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn print_sides(v: &Verdict) -> Result<(), String> {
    let name = |o: Option<expressivity_lab::claims::Outcome>| o.map_or("—", |o| o.name());
    if let Some(p) = &v.positive_side {
        outln!(
            "\npositive side \"{}\" ({}): construction {}, trained {}\n  {}\n  selection: {}",
            p.label,
            p.bound,
            name(p.construction_outcome),
            name(p.trained_outcome),
            p.summary,
            p.selection
        );
    }
    if let Some(n) = &v.negative_side {
        outln!("negative side \"{}\": {}", n.label, n.basis);
        for r in &n.capacity {
            outln!(
                "  {} N = {} width {}: best seed {:.1} % → its state holds ≥ {:.0} bits; capacity {:.0} bits (float32)",
                r.series,
                r.size,
                r.width,
                100.0 * r.accuracy,
                r.bits_needed,
                r.state_bits
            );
        }
        if !n.precision_note.is_empty() {
            outln!("  {}", n.precision_note);
        }
    }
    Ok(())
}

fn merge(parts: &[PathBuf], out: &Path, force: bool) -> Result<(), String> {
    let mut all = Vec::new();
    for part in parts {
        let text = files::read_text(part, run::RESULTS_CAP)?;
        let (records, _) = parse_records(&text).map_err(|e| format!("{}: {e}", part.display()))?;
        all.push(records);
    }
    // --out is replaced only when it is one of the parts (its runs are in the merge) or with
    // --force: the runs of a file outside the merge would be lost.
    let same_file = |a: &Path, b: &Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    let is_part = parts.iter().any(|p| same_file(p, out));
    let output = out_path::output(out, force || is_part)?;
    let first = all
        .iter()
        .flatten()
        .next()
        .ok_or("the parts hold no runs")?;
    let claim = registry::find(&first.claim)?;
    let quick = first.quick;
    let companions = companions(out, &claim, force)?;
    let merged = run::merge(&claim, quick, &all).map_err(|e| e.to_string())?;
    output.write(
        to_json_lines(&merged)
            .map_err(|e| e.to_string())?
            .as_bytes(),
    )?;
    outln!(
        "merged {} part(s): {} runs of {}{} → {}",
        parts.len(),
        merged.len(),
        claim.id,
        if quick { " (quick)" } else { "" },
        out.display()
    );
    finish(&claim, quick, &merged, out, &companions)
}

/// `a, b, c`.
fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_is_stamped_with_a_commit() {
        let hash = BUILD_COMMIT.strip_suffix("-dirty").unwrap_or(BUILD_COMMIT);
        if Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() {
            assert_eq!(hash.len(), 40, "{BUILD_COMMIT}");
            assert!(
                hash.bytes().all(|b| b.is_ascii_hexdigit()),
                "{BUILD_COMMIT}"
            );
        } else {
            assert_eq!(BUILD_COMMIT, "unknown");
        }
    }
}
