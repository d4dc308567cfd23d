//! `lab sweep --preset NAME --out results.json`: run a preset grid natively, write JSON + CSV,
//! print a table and whether the expected separation appeared. `--shard i/n` runs a
//! deterministic 1/n of the grid (the same split as `lab claims run`); runs already in the
//! output are skipped (an interrupted sweep resumes), the output is rewritten after every run,
//! and `--merge PARTS…` joins the parts' outputs into one and judges it.

use crate::device_arg::DeviceArg;
use std::path::PathBuf;

use crate::{outln, outprint};
use clap::Args;

use crate::out_path;
use expressivity_lab::files::{self, Existing, Output};
use indicatif::{ProgressBar, ProgressStyle};

use expressivity_lab::models::Architecture;
use expressivity_lab::tasks::TaskKind;
use std::collections::HashSet;

use expressivity_lab::claims::run::Shard;
use expressivity_lab::train::sweep::{
    CustomGrid, MAX_SCALE, Preset, RunResult, SweepKey, SweepResults, SweepRun, custom, preset,
    run_one, to_csv,
};

#[derive(Args)]
pub struct SweepArgs {
    /// index-lookup, dyck, equality, dp-width or majority; or `custom` with the grid options.
    #[arg(long)]
    preset: String,
    /// Custom grid: the task.
    #[arg(long)]
    task: Option<String>,
    /// Custom grid: sizes (comma-separated).
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    /// Custom grid: widths (comma-separated).
    #[arg(long, value_delimiter = ',')]
    widths: Vec<usize>,
    /// Custom grid: architectures (comma-separated).
    #[arg(long, value_delimiter = ',')]
    archs: Vec<String>,
    /// Custom grid: layers.
    #[arg(long, default_value_t = 1)]
    layers: usize,
    /// Custom grid: steps per run.
    #[arg(long, default_value_t = 500)]
    steps: usize,
    /// Where to write the JSON results (the CSV goes next to it).
    #[arg(long)]
    out: PathBuf,
    /// Multiply every run's step count by this (0 < scale ≤ 100): below 1 for a quick look,
    /// above 1 for a larger budget.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    #[command(flatten)]
    device: DeviceArg,
    /// Run only the runs at positions ≡ i − 1 (mod n) of the grid, e.g. 2/8 (one part per
    /// machine or process; each part needs its own --out).
    #[arg(long, default_value = "1/1")]
    shard: String,
    /// Instead of running: join these parts' outputs (the same preset, grid and scale) into
    /// --out and judge the whole.
    #[arg(long, num_args = 1..)]
    merge: Vec<PathBuf>,
    /// With --merge: replace --out if it exists (a run resumes its own --out without it).
    #[arg(long)]
    force: bool,
}

/// The largest results file read.
const RESULTS_CAP: u64 = 256 << 20;

/// Whether `text` is a sweep's CSV (its header line).
fn is_sweep_csv(text: &str) -> bool {
    text.starts_with("preset,series,task,architecture,width,")
}

/// The results already in `path` (none if it does not exist); they must be of `preset`.
fn read_results(path: &std::path::Path, preset: &Preset) -> Result<Vec<RunResult>, String> {
    let Some(text) = files::read_text_if_exists(path, RESULTS_CAP)? else {
        return Ok(Vec::new());
    };
    let old: SweepResults = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not the results of a sweep: {e}", path.display()))?;
    if old.preset != preset.name.name() {
        return Err(format!(
            "{} holds results of the sweep `{}`, not `{}`",
            path.display(),
            old.preset,
            preset.name
        ));
    }
    preset
        .in_grid_order(old.runs)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Write the results (JSON, through a temporary file, and the CSV) with the verdict on them
/// if they are the whole grid.
fn write_results(
    preset: &Preset,
    results: &[RunResult],
    (json_out, csv_out): &(Output, Output),
) -> Result<SweepResults, String> {
    let out = SweepResults {
        preset: preset.name.name().into(),
        claim: preset.claim.clone(),
        runs: results.to_vec(),
        verdict: preset.judge_if_complete(results),
    };
    let json = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
    json_out.write(json.as_bytes())?;
    csv_out.write(to_csv(&out).as_bytes())?;
    Ok(out)
}

#[allow(clippy::too_many_lines)] // over the 100-line limit from before it: to split
pub fn run(args: SweepArgs) -> Result<(), String> {
    if !(args.scale > 0.0 && args.scale <= MAX_SCALE) {
        return Err(format!("--scale must be in (0, {MAX_SCALE}]"));
    }
    if args.steps == 0 {
        return Err("--steps must be at least 1".into());
    }
    let preset = if args.preset == "custom" {
        let task = args.task.as_deref().ok_or("--preset custom needs --task")?;
        custom(&CustomGrid {
            task: TaskKind::from_name(task).map_err(|e| e.to_string())?,
            sizes: args.sizes.clone(),
            widths: args.widths.clone(),
            architectures: args
                .archs
                .iter()
                .map(|a| Architecture::from_name(a).ok_or(format!("unknown architecture `{a}`")))
                .collect::<Result<_, _>>()?,
            layers: args.layers,
            steps: ((args.steps as f64 * args.scale).round() as usize).max(1),
        })
        .map_err(|e| e.to_string())?
    } else {
        preset(&args.preset, args.scale).map_err(|e| e.to_string())?
    };
    if !args.merge.is_empty() {
        let outputs = (
            out_path::output(&args.out, args.force)?,
            out_path::companion_output(&args.out, "csv", args.force, is_sweep_csv)?,
        );
        let mut all = Vec::new();
        for part in &args.merge {
            if !part.is_file() {
                return Err(format!("{}: no such file", part.display()));
            }
            all.extend(read_results(part, &preset)?);
        }
        let all = preset.in_grid_order(all).map_err(|e| e.to_string())?;
        let out = write_results(&preset, &all, &outputs)?;
        print_table(&out)?;
        outln!(
            "\nmerged {} parts: {} of {} runs → {}",
            args.merge.len(),
            all.len(),
            preset.runs.len(),
            args.out.display()
        );
        outln!("{}", out.verdict.summary);
        return Ok(());
    }
    let shard = Shard::parse(&args.shard)?;
    // Its own results (or nothing) at --out: resumed and rewritten.
    let mut results = read_results(&args.out, &preset)?;
    let outputs = (
        Output::check(&args.out, Existing::Replace, "--force")?,
        out_path::companion_output(&args.out, "csv", args.force, is_sweep_csv)?,
    );
    let done: HashSet<SweepKey> = results.iter().map(RunResult::key).collect();
    let mine = shard.select(preset.runs.clone());
    let skipped = mine.iter().filter(|r| done.contains(&r.key())).count();
    let todo: Vec<SweepRun> = mine
        .into_iter()
        .filter(|r| !done.contains(&r.key()))
        .collect();
    let total: usize = todo.iter().map(|r| r.config.steps).sum();
    outln!(
        "sweep {}: {} runs to do (shard {}/{} of {}; {} already in {}), {} training steps in all\nclaim: {}",
        preset.name,
        todo.len(),
        shard.index,
        shard.count,
        preset.runs.len(),
        skipped,
        args.out.display(),
        total,
        preset.claim
    );
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {elapsed} (ETA {eta}) · {msg}")
            .map_err(|e| e.to_string())?,
    );
    let (device, backend) = args.device.resolve()?;
    outln!("backend: {} ({})", backend.name, backend.reason);
    let started = std::time::Instant::now();
    let mut done = 0u64;
    for (i, run) in todo.iter().enumerate() {
        bar.set_message(format!(
            "run {}/{}: {} width {} size {}",
            i + 1,
            todo.len(),
            run.series,
            run.config.model.d_model,
            run.config.task.size
        ));
        let result = pollster::block_on(run_one(run, &device, |step| {
            bar.set_position(done + step as u64);
            true
        }))
        .map_err(|e| format!("{} width {}: {e}", run.series, run.config.model.d_model))?;
        done += run.config.steps as u64;
        let line = format!(
            "{:<22} width {:>3} size {:>3}: accuracy {:.3}{} ({:.0} s)",
            result.series,
            result.width,
            result.size,
            result.accuracy,
            result
                .by_size
                .iter()
                .map(|(s, a)| format!(" · at {s}: {a:.3}"))
                .chain(
                    result
                        .switched
                        .iter()
                        .map(|(m, s, a)| format!(" · {m} at {s}: {a:.3}"))
                )
                .collect::<String>(),
            result.seconds
        );
        // Without a terminal the bar is hidden, and so is its println: print plainly then.
        if bar.is_hidden() {
            outln!("{line}");
        } else {
            bar.println(line);
        }
        results.push(result);
        results = preset.in_grid_order(results).map_err(|e| e.to_string())?;
        write_results(&preset, &results, &outputs)?;
    }
    bar.finish_and_clear();
    let out = write_results(&preset, &results, &outputs)?;
    print_table(&out)?;
    outln!(
        "\n{} in {:.0} s → {} and {}",
        preset.name,
        started.elapsed().as_secs_f64(),
        args.out.display(),
        outputs.1.path().display()
    );
    if preset.tests_claim && out.runs.len() == preset.runs.len() {
        outln!(
            "expected separation {}: {}",
            if out.verdict.appeared {
                "APPEARED"
            } else {
                "DID NOT APPEAR"
            },
            out.verdict.summary
        );
    } else {
        outln!("{}", out.verdict.summary);
    }
    Ok(())
}

/// Accuracy per series (rows) and (size, width) (columns).
fn print_table(out: &SweepResults) -> Result<(), String> {
    let mut series: Vec<&str> = out.runs.iter().map(|r| r.series.as_str()).collect();
    series.dedup();
    series.sort_unstable();
    series.dedup();
    let mut columns: Vec<(usize, usize)> = out.runs.iter().map(|r| (r.size, r.width)).collect();
    columns.sort_unstable();
    columns.dedup();
    outprint!("\n{:<22}", "series \\ size,width");
    for (s, w) in &columns {
        outprint!(" {:>8}", format!("{s},{w}"));
    }
    outln!();
    for name in series {
        outprint!("{name:<22}");
        for (s, w) in &columns {
            let cell = out
                .runs
                .iter()
                .find(|r| r.series == name && r.size == *s && r.width == *w)
                .map_or("-".to_string(), |r| format!("{:.2}", r.accuracy));
            outprint!(" {cell:>8}");
        }
        outln!();
    }
    Ok(())
}
