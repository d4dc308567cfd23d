//! `lab sweep --preset NAME --out results.json`: run a preset grid natively, write JSON + CSV,
//! print a table and whether the expected separation appeared.

use std::path::PathBuf;

use crate::{outln, outprint};
use clap::Args;

use crate::out_path;
use indicatif::{ProgressBar, ProgressStyle};

use expressivity_lab::models::Architecture;
use expressivity_lab::tasks::TaskKind;
use expressivity_lab::train::sweep::{
    CustomGrid, MAX_SCALE, SweepResults, custom, preset, run_one, to_csv,
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
}

pub fn run(args: SweepArgs) -> Result<(), String> {
    if !(args.scale > 0.0 && args.scale <= MAX_SCALE) {
        return Err(format!("--scale must be in (0, {MAX_SCALE}]"));
    }
    if args.steps == 0 {
        return Err("--steps must be at least 1".into());
    }
    let csv_path = out_path::check_outputs(&args.out, "csv")?;
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
    let total: usize = preset.runs.iter().map(|r| r.config.steps).sum();
    outln!(
        "sweep {}: {} runs, {} training steps in all\nclaim: {}",
        preset.name,
        preset.runs.len(),
        total,
        preset.claim
    );
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {elapsed} (ETA {eta}) · {msg}")
            .map_err(|e| e.to_string())?,
    );
    let device = burn::prelude::Device::flex();
    let started = std::time::Instant::now();
    let mut results = Vec::new();
    let mut done = 0u64;
    for (i, run) in preset.runs.iter().enumerate() {
        bar.set_message(format!(
            "run {}/{}: {} width {} size {}",
            i + 1,
            preset.runs.len(),
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
    }
    bar.finish_and_clear();
    let verdict = preset.judge(&results);
    let out = SweepResults {
        preset: preset.name.name().into(),
        claim: preset.claim.clone(),
        runs: results,
        verdict,
    };
    let json = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, json).map_err(|e| format!("{}: {e}", args.out.display()))?;
    std::fs::write(&csv_path, to_csv(&out)).map_err(|e| format!("{}: {e}", csv_path.display()))?;
    print_table(&out)?;
    outln!(
        "\n{} in {:.0} s → {} and {}",
        preset.name,
        started.elapsed().as_secs_f64(),
        args.out.display(),
        csv_path.display()
    );
    if preset.tests_claim {
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
