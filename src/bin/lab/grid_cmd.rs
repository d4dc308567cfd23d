//! `lab claims grid`: your own grid — the page's "Your own grid" natively, on the same engine as
//! a claim's grid (`claims::custom`, `claims::execute`): one task, sizes × widths ×
//! architectures, one seed a run. Records go to `--out` as JSON lines, rewritten after every
//! run; runs already there are skipped (an interrupted grid resumes). At the end: accuracy per
//! cell and w*(N) per series beside the constant predictor. No claim is tested.

use std::collections::HashSet;
use std::path::PathBuf;

use clap::Args;
use expressivity_lab::claims::custom::{CustomGrid, CustomPlan};
use expressivity_lab::claims::run::{self, GridRecord, RESULTS_CAP};
use expressivity_lab::files::{self, Existing, Output};
use expressivity_lab::models::Architecture;
use expressivity_lab::tasks::TaskKind;

use crate::device_arg::DeviceArg;
use crate::{outln, outprint};

#[derive(Args)]
pub struct GridArgs {
    /// The task.
    #[arg(long)]
    task: String,
    /// Sizes (comma-separated).
    #[arg(long, value_delimiter = ',', required = true)]
    sizes: Vec<usize>,
    /// Widths (comma-separated).
    #[arg(long, value_delimiter = ',', required = true)]
    widths: Vec<usize>,
    /// Architectures (comma-separated).
    #[arg(long, value_delimiter = ',', required = true)]
    archs: Vec<String>,
    #[arg(long, default_value_t = 1)]
    layers: usize,
    /// Training steps per run.
    #[arg(long, default_value_t = 500)]
    steps: usize,
    /// JSON lines of the runs (resumed when it holds runs of this grid; anything else is
    /// refused without --force).
    #[arg(long)]
    out: PathBuf,
    /// Replace --out when it holds something else.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    device: DeviceArg,
}

/// The records already at `path` when they are runs of `plan` (none if it does not exist).
fn resumed(path: &std::path::Path, plan: &CustomPlan) -> Result<Vec<GridRecord>, String> {
    let Some(text) = files::read_text_if_exists(path, RESULTS_CAP)? else {
        return Ok(Vec::new());
    };
    let (records, _) = run::parse_records(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let keys: HashSet<_> = plan.runs.iter().map(|r| r.key()).collect();
    for r in &records {
        let ours = r.claim == expressivity_lab::claims::custom::ID
            && keys.contains(&r.key())
            && r.steps == plan.grid.steps
            && r.layers == plan.grid.layers;
        if !ours {
            return Err(format!(
                "{}: {} is not a run of this grid (another task, grid, layers or steps?); \
                 choose another --out or replace it with --force",
                path.display(),
                r.key()
            ));
        }
    }
    Ok(records)
}

pub fn run(args: GridArgs) -> Result<(), String> {
    let grid = CustomGrid {
        task: TaskKind::from_name(&args.task).map_err(|e| e.to_string())?,
        sizes: args.sizes.clone(),
        widths: args.widths.clone(),
        architectures: args
            .archs
            .iter()
            .map(|a| Architecture::from_name(a).ok_or(format!("unknown architecture `{a}`")))
            .collect::<Result<_, _>>()?,
        layers: args.layers,
        steps: args.steps,
    };
    if grid.steps == 0 {
        return Err("--steps must be at least 1".into());
    }
    let plan = grid.plan().map_err(|e| e.to_string())?;
    let mut records = if args.force {
        Vec::new()
    } else {
        resumed(&args.out, &plan)?
    };
    let out = Output::check(&args.out, Existing::Replace, "--force")?;
    let done: HashSet<_> = records.iter().map(GridRecord::key).collect();
    let todo: Vec<_> = plan
        .runs
        .iter()
        .filter(|r| !done.contains(&r.key()))
        .collect();
    outln!(
        "your grid: {} of {} runs to do ({} already in {}), {} steps each, judged on {}",
        todo.len(),
        plan.runs.len(),
        records.len(),
        args.out.display(),
        grid.steps,
        plan.metric.name()
    );
    let (device, backend) = args.device.resolve()?;
    outln!("backend: {} ({})", backend.name, backend.reason);
    for run in todo {
        let record = pollster::block_on(plan.execute(run, &device, |_| true))
            .map_err(|e| format!("{}: {e}", run.key()))?;
        outln!(
            "{:<36} accuracy {:.3} ({:.0} s)",
            run.key().to_string(),
            record.accuracy,
            record.seconds
        );
        records.push(record);
        out.write(
            run::to_json_lines(&records)
                .map_err(|e| e.to_string())?
                .as_bytes(),
        )?;
    }
    print_table(&records)?;
    outln!("\n{}", plan.survey(&records).summary());
    Ok(())
}

/// Accuracy per series (rows) and (size, width) (columns).
fn print_table(records: &[GridRecord]) -> Result<(), String> {
    let mut series: Vec<&str> = records.iter().map(|r| r.series.as_str()).collect();
    series.sort_unstable();
    series.dedup();
    let mut columns: Vec<(usize, usize)> = records.iter().map(|r| (r.size, r.width)).collect();
    columns.sort_unstable();
    columns.dedup();
    outprint!("\n{:<14}", "series \\ N,w");
    for (s, w) in &columns {
        outprint!(" {:>8}", format!("{s},{w}"));
    }
    outln!();
    for name in series {
        outprint!("{name:<14}");
        for (s, w) in &columns {
            let cell = records
                .iter()
                .find(|r| r.series == name && r.size == *s && r.width == *w)
                .map_or("-".to_string(), |r| format!("{:.2}", r.accuracy));
            outprint!(" {cell:>8}");
        }
        outln!();
    }
    Ok(())
}
