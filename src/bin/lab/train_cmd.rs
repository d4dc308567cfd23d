//! `lab train`: train any architecture on any task through a training [`Session`]; `--save`
//! writes a checkpoint (resumable: saved at the last evaluation point), `--resume` continues
//! one (also one exported by the page).

use crate::device_arg::DeviceArg;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::outln;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use expressivity_lab::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};

use crate::data_arg::DataArg;
use crate::out_path;
use crate::task_cmd::ParamArgs;
use expressivity_lab::files::{self, Output};
use expressivity_lab::tasks::TaskKind;
use expressivity_lab::train::checkpoint::{self, CheckpointMeta, read_meta};
use expressivity_lab::train::metrics::LAST_LOSS_STEPS;
use expressivity_lab::train::{Curriculum, Event, Outcome, Phase, Session, TrainConfig};

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
    /// Train on smaller sizes first: FROM[:FRACTION] starts at size FROM, doubling up to
    /// --size over the first FRACTION of the steps (default 0.5), equal steps per size; the
    /// rest at --size. For tasks whose smaller sizes use the same tokens.
    #[arg(long, value_name = "FROM[:FRACTION]", value_parser = Curriculum::parse)]
    curriculum: Option<Curriculum>,
    /// none, learned or sinusoidal.
    #[arg(long, default_value = "sinusoidal",
          value_parser = parse_with(PositionalEncoding::from_name, PositionalEncoding::ALL.iter().map(|a| a.name())))]
    positional: PositionalEncoding,
    /// Sparse block size (default ⌈√length⌉).
    #[arg(long)]
    block: Option<usize>,
    /// Sparse transformer: read the last --block positions (a sliding window) plus the last
    /// position of every earlier block, instead of the own fixed block.
    #[arg(long)]
    window: bool,
    /// Index tokens (`@i` of index-lookup) include the position code of position i in their
    /// embedding, as in the index-lookup construction.
    #[arg(long)]
    index_positions: bool,
    /// In equality and disjointness (`x | y <q>`), xᵢ and yᵢ both include the position code of
    /// i in their embedding, as in those tasks' constructions.
    #[arg(long)]
    pair_positions: bool,
    #[arg(long, default_value_t = TrainConfig::default().model.d_model)]
    width: usize,
    #[arg(long, default_value_t = TrainConfig::default().model.n_layers)]
    layers: usize,
    /// Attention heads (transformers; default 4).
    #[arg(long)]
    heads: Option<usize>,
    /// Training steps (default 2000); with --resume, the run's new total (default: its own).
    #[arg(long)]
    steps: Option<usize>,
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
    /// metadata as JSON next to it (same name, `.json`). At the end of a run (an evaluation
    /// point) the file can be resumed from (`--resume`).
    #[arg(long, alias = "out")]
    save: Option<PathBuf>,
    /// Replace the --save file and its JSON if they exist (without it an existing file is
    /// kept and the run refused before it starts; resuming into the same file needs no flag).
    #[arg(long)]
    force: bool,
    /// Continue the run saved in this checkpoint (by `lab train --save` or exported by the
    /// page, format v3) from its last evaluation point, exactly as if it had not stopped. Its
    /// own config is used; only --steps (the new total) applies.
    /// Flags that describe another run are refused beside it (they would be ignored).
    #[arg(long, conflicts_with_all = [
        "task", "data", "size", "arch", "attention", "softmax_scale", "softmax_scale_from", "curriculum",
        "positional", "block", "window", "index_positions", "pair_positions", "width", "layers", "heads",
        "batch", "lr", "seed", "eval_every", "eval_examples", "context", "brackets", "depth",
        "bits", "symbols", "param",
    ])]
    resume: Option<PathBuf>,
    /// Also measure free generation (greedy, on the held-out set) at every evaluation, as the
    /// page does: shown beside the teacher-forced figures and kept in the history. Costs one
    /// generation pass per evaluation; the run's steps are the same with it or without it.
    #[arg(long)]
    free_eval: bool,
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
        ("--window", args.window && arch != Architecture::Sparse),
    ]
    .into_iter()
    .filter_map(|(flag, ignored)| ignored.then_some(flag))
    .collect()
}

/// The run the flags describe.
fn config_from(args: &TrainArgs) -> Result<TrainConfig, String> {
    Ok(TrainConfig {
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
            pairs_share_position: args.pair_positions,
            sparse_window: args.window,
            d_model: args.width,
            n_layers: args.layers,
            n_heads: args.heads.unwrap_or(TrainConfig::default().model.n_heads),
            ..ArchSpec::default()
        },
        steps: args.steps.unwrap_or(TrainConfig::default().steps),
        batch_size: args.batch,
        learning_rate: args.lr,
        seed: args.seed,
        eval_every: args.eval_every,
        eval_examples: args.eval_examples,
        context: args.context,
        softmax_scale_from: args.softmax_scale_from,
        curriculum: args.curriculum,
    })
}

#[allow(clippy::too_many_lines)] // over the 100-line limit from before it: to split
pub fn run(args: TrainArgs) -> Result<(), String> {
    if args.resume.is_none() {
        for flag in ignored_flags(&args) {
            eprintln!(
                "warning: {flag} does not apply to the {} architecture and is ignored",
                args.arch.name()
            );
        }
    }
    let outputs = match &args.save {
        Some(path) => {
            let resumed_into = args.resume.as_deref() == Some(path.as_path());
            Some(checkpoint_outputs(path, args.force || resumed_into)?)
        }
        None => None,
    };
    let (device, info) = args.device.resolve()?;
    let mut session = match &args.resume {
        Some(path) => {
            let bytes = files::read_bytes(path, checkpoint::MAX_BYTES as u64)?;
            Session::resume_from(&bytes, &device, args.steps)
                .map_err(|e| format!("cannot resume {}: {e}", path.display()))?
        }
        None => {
            let config = config_from(&args)?;
            let mut session = Session::new(&device);
            session.start(config).map_err(|e| e.to_string())?;
            session
        }
    };
    if args.free_eval {
        session = session.with_free_evaluation();
    }
    let config = session.config().cloned().ok_or("the session has no run")?;
    if let Some(data) = &config.task.data {
        outln!(
            "data: {} — {}",
            data.name(),
            data.describe(config.eval_examples)
        );
    }
    let first_step = session.step();
    outln!(
        "{} · {} heads · {} steps{} · batch {} · backend {} ({})",
        config.summary(),
        config.model.n_heads,
        config.steps,
        if first_step > 0 {
            format!(" (resumed at step {first_step})")
        } else {
            String::new()
        },
        config.batch_size,
        info.name,
        info.reason
    );
    let bar = ProgressBar::new(config.steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps · {msg} [{elapsed} < {eta}]")
            .map_err(|e| e.to_string())?,
    );
    bar.set_position(first_step as u64);
    let start = Instant::now();
    // Slices of ~100 ms keep the bar moving; the session stops a slice at every evaluation.
    while session.phase() == Phase::Running {
        let slice = Instant::now();
        let events = pollster::block_on(
            session.advance(usize::MAX, || slice.elapsed() >= Duration::from_millis(100)),
        );
        for event in events {
            match event {
                Event::Progress { step, .. } => bar.set_position(step as u64),
                Event::Evaluated(m) => {
                    let line = format!(
                        "loss {:.4} · teacher-forced CoT exact {:.1}% · answer {:.1}%{}",
                        m.final_loss(),
                        100.0 * m.accuracy,
                        100.0 * m.answer_accuracy,
                        m.free.map_or(String::new(), |f| format!(
                            " · free: whole {:.1}% · answer {:.1}%",
                            100.0 * f.full,
                            100.0 * f.answer
                        ))
                    );
                    // Without a terminal (a log file) the bar is hidden: one line an evaluation
                    // keeps the curve.
                    if bar.is_hidden() {
                        outln!("step {}: {line}", m.step);
                    }
                    bar.set_message(line);
                }
                _ => {}
            }
        }
    }
    bar.finish();
    if session.phase() == Phase::Finished(Outcome::Failed) {
        return Err(session
            .error()
            .map_or("the run failed".into(), |e| e.to_string()));
    }
    let steps = (session.step() - first_step) as f64;
    let timing = session.timing();
    outln!(
        "done in {:.1}s ({:.1} training steps/s, excluding evaluation {:.1} steps/s)",
        start.elapsed().as_secs_f64(),
        steps / start.elapsed().as_secs_f64(),
        steps / timing.training
    );
    if let Some(m) = session.history().last() {
        outln!(
            "final: loss {:.4} (mean of the last {LAST_LOSS_STEPS} steps) · teacher-forced CoT exact match {:.1}% · answer {:.1}%",
            m.final_loss(),
            100.0 * m.accuracy,
            100.0 * m.answer_accuracy
        );
    }
    let greedy = pollster::block_on(session.evaluate_greedy()).map_err(|e| e.to_string())?;
    outln!(
        "greedy generation (cached decoder, {} held-out examples): full CoT {:.1}% · answer {:.1}%",
        greedy.examples,
        100.0 * greedy.full,
        100.0 * greedy.answer
    );
    if let Some(trainer) = session.trainer() {
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
    }
    if let Some(outputs) = &outputs {
        if args.resume.is_none() || !args.note.is_empty() {
            session.set_note(args.note.clone());
        }
        let (bytes, _resumable) =
            pollster::block_on(session.export()).map_err(|e| e.to_string())?;
        write_checkpoint(outputs, &bytes)?;
    }
    session.error().map_or(Ok(()), |e| Err(e.to_string()))
}

/// A checkpoint file and the JSON of its metadata beside it, both checked now (an existing
/// checkpoint only with `force`; an existing JSON with `force` or when it holds a checkpoint's
/// metadata).
pub fn checkpoint_outputs(path: &Path, force: bool) -> Result<(Output, Output), String> {
    let main = out_path::output(path, force)?;
    let json = out_path::companion_output(path, "json", force, |text| {
        serde_json::from_str::<CheckpointMeta>(text).is_ok()
    })?;
    Ok((main, json))
}

/// Write the checkpoint and its metadata as pretty JSON beside it.
pub fn write_checkpoint((main, json_out): &(Output, Output), bytes: &[u8]) -> Result<(), String> {
    let meta = read_meta(bytes).map_err(|e| e.to_string())?;
    main.write(bytes)?;
    let json = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
    json_out.write((json + "\n").as_bytes())?;
    outln!(
        "saved {} ({} bytes) and {}",
        main.path().display(),
        bytes.len(),
        json_out.path().display()
    );
    Ok(())
}
