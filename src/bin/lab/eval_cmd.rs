//! `lab eval`: load a checkpoint and evaluate it — teacher-forced and greedy (cached decoder),
//! at its training size and at other sizes (length generalisation), under its own attention
//! mode or another one.

use crate::device_arg::DeviceArg;
use expressivity_lab::claims::construct;
use std::path::{Path, PathBuf};

use burn::prelude::Device;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::task_cmd::Format;
use crate::{ablate_cmd, agreement_cmd, lens_cmd, out_path, outln, probe_cmd};

use expressivity_lab::files;
use expressivity_lab::instruments::length;
use expressivity_lab::models::{AttentionMode, Model};
use expressivity_lab::train::checkpoint::{self, Checkpoint, CheckpointMeta};
use expressivity_lab::train::eval::{SizeReport, at_size, held_out_at_size};
use expressivity_lab::train::yield_now::yield_now;

#[derive(Args)]
#[command(group = clap::ArgGroup::new("instrument").args(["agreement", "ablate", "probe", "lens"]))]
pub struct EvalArgs {
    /// A checkpoint written by `lab train --save`, `lab construct` or exported from the page.
    checkpoint: PathBuf,
    /// Task sizes to evaluate at (default: the training size).
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    /// Instead of --sizes: a length-generalisation curve over N sizes spaced log-evenly from the
    /// smallest size the task allows to the largest whose sequences fit the model's context
    /// (the training size always among them).
    #[arg(long, value_name = "N", conflicts_with = "sizes",
          value_parser = clap::value_parser!(u16).range(2..=32))]
    curve: Option<u16>,
    /// Held-out examples per size.
    #[arg(long, default_value_t = 256)]
    examples: usize,
    /// Evaluate under this attention mode instead of the checkpoint's (softmax keeps the
    /// stored scale).
    #[arg(long, value_parser = parse_mode)]
    attention: Option<AttentionMode>,
    /// Also write the results as JSON.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    force: bool,
    /// Instead of accuracy: score every attention head against the positions the task's
    /// algorithm reads (mass and arg-max on them, beside uniform attention's chance level, with
    /// bootstrap intervals), at the first of --sizes (default: the training size).
    #[arg(long, conflicts_with_all = ["ablate", "probe", "lens"])]
    agreement: bool,
    /// Instead of accuracy: silence each attention head in turn (zero ablation) and print the
    /// teacher-forced accuracy lost, with paired bootstrap intervals, at the first of --sizes.
    #[arg(long, conflicts_with_all = ["probe", "lens"])]
    ablate: bool,
    /// Instead of accuracy: fit linear probes (ridge regression) from the residual stream
    /// after each layer to the variable the task's algorithm keeps (Dyck's stack depth,
    /// MAJORITY's running count, PARITY's running bit), beside a shuffled-label control.
    #[arg(long, conflicts_with = "lens")]
    probe: bool,
    /// Instead of accuracy: the logit lens — the residual stream after each layer read through
    /// the final LayerNorm and read-out (the reference token's probability and top-1 share,
    /// teacher-forced), at the first of --sizes.
    #[arg(long)]
    lens: bool,
    /// How --agreement, --ablate, --probe and --lens print: a table, or JSON (--out writes JSON either way).
    #[arg(long, value_enum, default_value = "text", requires = "instrument")]
    format: Format,
    #[command(flatten)]
    device: DeviceArg,
}

/// `softmax | saturated | hard`.
pub fn parse_mode(name: &str) -> Result<AttentionMode, String> {
    AttentionMode::from_name(name).ok_or_else(|| {
        let known: Vec<_> = AttentionMode::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown attention mode `{name}` (known: {})",
            known.join(", ")
        )
    })
}

/// Read and fully validate a checkpoint file. What the path is and how large it is are checked
/// before reading: a device (`/dev/zero`), a pipe or a folder is refused, and so is a file
/// larger than any checkpoint, without reading it.
pub fn load(path: &Path, device: &Device) -> Result<Checkpoint, String> {
    let bytes = files::read_bytes(path, checkpoint::MAX_BYTES as u64)?;
    let loaded =
        checkpoint::load(&bytes, device).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(note) = checkpoint::format_notice(&bytes) {
        eprintln!("notice: {}: {note}", path.display());
    }
    Ok(loaded)
}

/// The most examples one evaluation builds (they are generated up front).
pub const MAX_EXAMPLES: usize = 10_000;

/// `--examples` must be in `1..=MAX_EXAMPLES`.
pub fn check_examples(examples: usize) -> Result<(), String> {
    if (1..=MAX_EXAMPLES).contains(&examples) {
        Ok(())
    } else {
        Err(format!(
            "--examples must be in 1..={MAX_EXAMPLES}, got {examples}"
        ))
    }
}

/// The checkpoint's model under `mode` (its own when `None`), and the mode's name.
pub fn with_mode(loaded: Checkpoint, mode: Option<AttentionMode>) -> (Model, AttentionMode) {
    let arch = &loaded.meta.train.model;
    let mode = mode.unwrap_or(arch.attention);
    let scale = arch.softmax_scale;
    (loaded.model.with_mode(mode, scale), mode)
}

/// Where the weights come from: the training steps, or the construction and its parameters.
pub fn origin(meta: &CheckpointMeta) -> String {
    match &meta.constructed_by {
        Some(p) => {
            let params: Vec<String> = p.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("constructed by {} ({})", p.construction, params.join(", "))
        }
        None => format!("{} steps trained", meta.steps_done),
    }
}

/// One row of the table: the report at a size, or why that size could not be evaluated.
pub type SizeRow = Result<SizeReport, (usize, String)>;

/// Evaluate at every size (an error at one size is reported in its row, not fatal).
pub fn evaluate(
    model: &Model,
    meta: &CheckpointMeta,
    sizes: &[usize],
    examples: usize,
    device: &Device,
) -> Result<Vec<SizeRow>, String> {
    let bar = ProgressBar::new(sizes.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} sizes · {msg} [{elapsed}]")
            .map_err(|e| e.to_string())?,
    );
    let mut reports = Vec::new();
    for &size in sizes {
        bar.set_message(format!("size {size}"));
        if let Err(reason) = construct::check_size(meta, size) {
            reports.push(Err((size, reason)));
            bar.inc(1);
            continue;
        }
        let report = pollster::block_on(async {
            yield_now().await;
            at_size(model, &meta.train, size, examples, device).await
        });
        reports.push(report.map_err(|e| (size, e.to_string())));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(reports)
}

/// The accuracy table of `lab eval` and `lab construct`.
pub fn print_table(reports: &[SizeRow], examples: usize) -> Result<(), String> {
    outln!(
        "{:>6} {:>10} {:>10} {:>10} {:>10}",
        "size",
        "TF exact",
        "TF answer",
        "gen full",
        "gen answer"
    );
    for report in reports {
        match report {
            Ok(r) => outln!(
                "{:>6} {:>9.1}% {:>9.1}% {:>9.1}% {:>9.1}%",
                r.size,
                100.0 * r.teacher_forced.exact,
                100.0 * r.teacher_forced.answer,
                100.0 * r.greedy.full,
                100.0 * r.greedy.answer
            ),
            Err((size, e)) => outln!("{size:>6} error: {e}"),
        }
    }
    // Your own data holds out at most a quarter of its lines: fewer than asked, then.
    let held = reports
        .iter()
        .flatten()
        .map(|r| r.teacher_forced.examples)
        .min()
        .unwrap_or(examples);
    let per_size = if held < examples {
        format!(
            "{held} held-out examples per size ({examples} asked for; the data holds out no more)"
        )
    } else {
        format!("{examples} examples per size")
    };
    outln!(
        "TF = teacher-forced (every CoT token given), gen = greedy generation with the cache; {per_size}"
    );
    Ok(())
}

pub fn run(args: EvalArgs) -> Result<(), String> {
    check_examples(args.examples)?;
    let out = match &args.out {
        Some(path) => Some(out_path::output(path, args.force)?),
        None => None,
    };
    let (device, _) = args.device.resolve()?;
    let loaded = load(&args.checkpoint, &device)?;
    let meta = loaded.meta.clone();
    let train = &meta.train;
    let stored = train.model.attention;
    let (model, mode) = with_mode(loaded, args.attention);
    let attention = if !train.model.architecture.has_attention_modes() {
        String::new()
    } else if mode == stored {
        format!(" · {} attention", mode.name())
    } else {
        format!(" · {} attention (stored: {})", mode.name(), stored.name())
    };
    let instrument = args.agreement || args.ablate || args.probe || args.lens;
    let json_only = instrument && matches!(args.format, Format::Json);
    if !json_only {
        outln!(
            "{}: {}{attention} · {} · {}",
            args.checkpoint.display(),
            train.summary(),
            origin(&meta),
            if meta.note.is_empty() {
                "-"
            } else {
                &meta.note
            }
        );
    }
    let sizes = match args.curve {
        Some(n) => length::curve_sizes(&meta, usize::from(n))?,
        None if args.sizes.is_empty() => vec![train.task.size],
        None => args.sizes.clone(),
    };
    if instrument {
        let size = sizes[0];
        construct::check_size(&meta, size)?;
        let held = held_out_at_size(&meta.train, size, args.examples).map_err(|e| e.to_string())?;
        let json = if args.agreement {
            let table = agreement_cmd::measure(&model, &meta, &held, size, &device)?;
            emit(&table, args.format, |t| agreement_cmd::print(t, size))?
        } else if args.ablate {
            let table = ablate_cmd::measure(&model, &meta, &held, &device)?;
            emit(&table, args.format, |t| ablate_cmd::print(t, size))?
        } else if args.lens {
            let table = lens_cmd::measure(&model, &held, &device)?;
            emit(&table, args.format, |t| lens_cmd::print(t, size))?
        } else {
            let table = probe_cmd::measure(&model, &meta, &held, size, &device)?;
            emit(&table, args.format, |t| probe_cmd::print(t, size))?
        };
        if let Some(out) = &out {
            out.write(json.as_bytes())?;
        }
        return Ok(());
    }
    let reports = evaluate(&model, &meta, &sizes, args.examples, &device)?;
    print_table(&reports, args.examples)?;
    if let Some(out) = &out {
        let ok: Vec<_> = reports.iter().filter_map(|r| r.as_ref().ok()).collect();
        let json = serde_json::to_string_pretty(&ok).map_err(|e| e.to_string())?;
        out.write(json.as_bytes())?;
    }
    all_evaluated(&reports)
}

/// Print an instrument's table as text or JSON; its JSON either way (what --out writes).
fn emit<T: serde::Serialize>(
    table: &T,
    format: Format,
    print: impl FnOnce(&T) -> Result<(), String>,
) -> Result<String, String> {
    let json = serde_json::to_string_pretty(table).map_err(|e| e.to_string())?;
    match format {
        Format::Json => outln!("{json}"),
        Format::Text => print(table)?,
    }
    Ok(json)
}

/// An error naming the sizes whose row is an error (the command then exits non-zero).
pub fn all_evaluated(reports: &[SizeRow]) -> Result<(), String> {
    let failed: Vec<String> = reports
        .iter()
        .filter_map(|r| r.as_ref().err().map(|(size, _)| size.to_string()))
        .collect();
    if !failed.is_empty() {
        return Err(format!(
            "size(s) {} could not be evaluated (see the table)",
            failed.join(", ")
        ));
    }
    Ok(())
}
