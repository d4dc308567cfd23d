//! `lab train`: train any architecture on any task; `--save` writes a checkpoint.

use crate::device_arg::DeviceArg;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::outln;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use expressivity_lab::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};

use crate::data_arg::DataArg;
use crate::out_path;
use crate::task_cmd::ParamArgs;
use expressivity_lab::tasks::TaskKind;
use expressivity_lab::train::checkpoint::read_meta;
use expressivity_lab::train::trainer::LAST_LOSS_STEPS;
use expressivity_lab::train::{TrainConfig, TrainError, Trainer};

fn parse_with<T>(
    from_name: fn(&str) -> Option<T>,
    names: impl Iterator<Item = &'static str>,
) -> impl Fn(&str) -> Result<T, String> + Clone {
    let names: Vec<&str> = names.collect();
    move |s| from_name(s).ok_or_else(|| format!("expected one of {}", names.join(", ")))
}

#[derive(Args)]
pub struct TrainArgs {
    /// Task name (`lab task list`; default lis, or custom with --data).
    #[arg(long)]
    task: Option<String>,
    #[command(flatten)]
    data: DataArg,
    /// Task size (default: the task's default; LIS: 5).
    #[arg(long)]
    size: Option<usize>,
    /// standard, sparse, linear, lstm, gru or ssm.
    #[arg(long, default_value = "standard",
          value_parser = parse_with(Architecture::from_name, Architecture::ALL.iter().map(|a| a.name())))]
    arch: Architecture,
    /// softmax, saturated or hard (standard and sparse transformers; default softmax).
    #[arg(long,
          value_parser = parse_with(AttentionMode::from_name, AttentionMode::ALL.iter().map(|a| a.name())))]
    attention: Option<AttentionMode>,
    /// The c of softmax(c · qᵀk / √d_h) (standard and sparse transformers; default 1).
    #[arg(long)]
    softmax_scale: Option<f32>,
    /// Grow the softmax scale geometrically from this value to --softmax-scale over the run
    /// (softmax attention trained towards saturated attention).
    #[arg(long)]
    softmax_scale_from: Option<f32>,
    /// none, learned or sinusoidal.
    #[arg(long, default_value = "sinusoidal",
          value_parser = parse_with(PositionalEncoding::from_name, PositionalEncoding::ALL.iter().map(|a| a.name())))]
    positional: PositionalEncoding,
    /// Sparse block size (default ⌈√length⌉).
    #[arg(long)]
    block: Option<usize>,
    /// Index tokens (`@i` of index-lookup) include the position code of position i in their
    /// embedding, as in the index-lookup construction.
    #[arg(long)]
    index_positions: bool,
    #[arg(long, default_value_t = TrainConfig::default().model.d_model)]
    width: usize,
    #[arg(long, default_value_t = TrainConfig::default().model.n_layers)]
    layers: usize,
    /// Attention heads (transformers; default 4).
    #[arg(long)]
    heads: Option<usize>,
    #[arg(long, default_value_t = TrainConfig::default().steps)]
    steps: usize,
    #[arg(long, default_value_t = TrainConfig::default().batch_size)]
    batch: usize,
    #[arg(long, default_value_t = TrainConfig::default().learning_rate)]
    lr: f64,
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    #[arg(long, default_value_t = TrainConfig::default().eval_every)]
    eval_every: usize,
    /// Held-out examples per evaluation.
    #[arg(long, default_value_t = TrainConfig::default().eval_examples)]
    eval_examples: usize,
    /// Model context when it must exceed the task's longest sequence (for `lab eval --sizes`).
    #[arg(long)]
    context: Option<usize>,
    #[command(flatten)]
    params: ParamArgs,
    /// Write the trained model here (safetensors with the config in its metadata) and its
    /// metadata as JSON next to it (same name, `.json`).
    #[arg(long)]
    save: Option<PathBuf>,
    /// Free text stored in the checkpoint (e.g. the command that made it).
    #[arg(long, default_value = "")]
    note: String,
    #[command(flatten)]
    device: DeviceArg,
}

/// Flags given for something the chosen architecture does not have.
fn ignored_flags(args: &TrainArgs) -> Vec<&'static str> {
    let arch = args.arch;
    [
        ("--heads", args.heads.is_some() && !arch.has_attention()),
        (
            "--attention",
            args.attention.is_some() && !arch.has_attention_modes(),
        ),
        (
            "--softmax-scale",
            args.softmax_scale.is_some() && !arch.has_attention_modes(),
        ),
        (
            "--softmax-scale-from",
            args.softmax_scale_from.is_some() && !arch.has_attention_modes(),
        ),
        (
            "--block",
            args.block.is_some() && arch != Architecture::Sparse,
        ),
    ]
    .into_iter()
    .filter_map(|(flag, ignored)| ignored.then_some(flag))
    .collect()
}

pub fn run(args: TrainArgs) -> Result<(), String> {
    for flag in ignored_flags(&args) {
        eprintln!(
            "warning: {flag} does not apply to the {} architecture and is ignored",
            args.arch.name()
        );
    }
    let config = TrainConfig {
        task: {
            let name = args.data.task_name(args.task.as_deref(), "lis")?;
            let kind = TaskKind::from_name(name).map_err(|e| e.to_string())?;
            let mut spec = args.data.spec(kind)?;
            if kind == TaskKind::Lis {
                spec.size = TrainConfig::default().task.size;
            }
            if let Some(size) = args.size {
                spec.size = size;
            }
            spec.params = args.params.params();
            spec
        },
        model: ArchSpec {
            architecture: args.arch,
            attention: args.attention.unwrap_or_default(),
            softmax_scale: args.softmax_scale.unwrap_or(1.0),
            positional: args.positional,
            block_size: args.block,
            index_shares_position: args.index_positions,
            d_model: args.width,
            n_layers: args.layers,
            n_heads: args.heads.unwrap_or(TrainConfig::default().model.n_heads),
            ..ArchSpec::default()
        },
        steps: args.steps,
        batch_size: args.batch,
        learning_rate: args.lr,
        seed: args.seed,
        eval_every: args.eval_every,
        eval_examples: args.eval_examples,
        context: args.context,
        softmax_scale_from: args.softmax_scale_from,
    };
    if let Some(path) = &args.save {
        out_path::check_outputs(path, "json")?;
    }
    if let Some(data) = &config.task.data {
        outln!(
            "data: {} — {}",
            data.name(),
            data.describe(config.eval_examples)
        );
    }
    let (device, info) = args.device.resolve()?;
    let mut trainer = Trainer::new(config.clone(), &device).map_err(|e| e.to_string())?;
    outln!(
        "{} · {} heads · {} steps · batch {} · backend {} ({})",
        config.summary(),
        config.model.n_heads,
        config.steps,
        config.batch_size,
        info.name,
        info.reason
    );
    let bar = ProgressBar::new(config.steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {msg} [{elapsed} < {eta}]")
            .map_err(|e| e.to_string())?,
    );
    let start = Instant::now();
    let mut train_time = 0.0f64;
    let mut diverged = None;
    while !trainer.is_finished() {
        let t0 = Instant::now();
        trainer.step().map_err(|e| e.to_string())?;
        train_time += t0.elapsed().as_secs_f64();
        bar.inc(1);
        if trainer.at_checkpoint() {
            let m = match pollster::block_on(trainer.checkpoint()) {
                Ok(m) => m,
                Err(e @ TrainError::Diverged { .. }) => {
                    diverged = Some(e.to_string());
                    break;
                }
                Err(e) => return Err(e.to_string()),
            };
            bar.set_message(format!(
                "loss {:.4} · CoT exact {:.1}% · answer {:.1}%",
                m.final_loss(),
                100.0 * m.accuracy,
                100.0 * m.answer_accuracy
            ));
        }
    }
    bar.finish();
    let last = trainer.history().last().copied();
    outln!(
        "done in {:.1}s ({:.1} training steps/s, excluding evaluation {:.1} steps/s)",
        start.elapsed().as_secs_f64(),
        config.steps as f64 / start.elapsed().as_secs_f64(),
        config.steps as f64 / train_time
    );
    if let Some(m) = last {
        outln!(
            "final: loss {:.4} (mean of the last {LAST_LOSS_STEPS} steps) · teacher-forced CoT exact match {:.1}% · answer {:.1}%",
            m.final_loss(),
            100.0 * m.accuracy,
            100.0 * m.answer_accuracy
        );
    }
    let greedy = pollster::block_on(trainer.evaluate_greedy()).map_err(|e| e.to_string())?;
    outln!(
        "greedy generation (cached decoder, {} held-out examples): full CoT {:.1}% · answer {:.1}%",
        greedy.examples,
        100.0 * greedy.full,
        100.0 * greedy.answer
    );
    if trainer.rejected_examples() > 0 {
        outln!(
            "{} training examples were redrawn because their prompt is in the test set",
            trainer.rejected_examples()
        );
    }
    if trainer.leaked_test_prompts() > 0 {
        outln!(
            "warning: {} training examples are test prompts (the task's prompt space is about \
             the size of the test set: the held-out accuracy is not held out)",
            trainer.leaked_test_prompts()
        );
    }
    if let Some(path) = &args.save {
        let bytes = pollster::block_on(trainer.save(&args.note)).map_err(|e| e.to_string())?;
        write_checkpoint(path, &bytes)?;
    }
    match diverged {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

/// Write the checkpoint and its metadata as pretty JSON beside it.
pub fn write_checkpoint(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let meta = read_meta(bytes).map_err(|e| e.to_string())?;
    let json_path = out_path::companion(path, "json")?;
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let json = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
    std::fs::write(&json_path, json + "\n").map_err(|e| format!("{}: {e}", json_path.display()))?;
    outln!(
        "saved {} ({} bytes) and {}",
        path.display(),
        bytes.len(),
        json_path.display()
    );
    Ok(())
}
