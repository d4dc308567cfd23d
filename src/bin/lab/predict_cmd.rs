//! `lab predict`: run a checkpoint on your own prompt (`--input`) or on its held-out examples
//! (`--held-out N`). Prints each prompt followed by the model's greedy completion, up to where
//! the task's answer ends, in the format of `lab task solve` (which prints the reference), so
//! the two can be diffed. With `--logits`, one JSON object per sequence instead: its tokens and
//! the model's logits at every position (one forward pass over the whole sequence) — what the
//! Python loader (`python/expressivity_lab`) is checked against.

use crate::device_arg::DeviceArg;
use expressivity_lab::claims::construct;
use expressivity_lab::models::{Model, SequenceModel};
use expressivity_lab::tasks::Task;
use expressivity_lab::train::checkpoint::CheckpointMeta;
use std::path::PathBuf;

use burn::prelude::*;
use clap::Args;

use expressivity_lab::models::AttentionMode;
use expressivity_lab::train::eval::{continue_greedily, held_out_at_size};

use crate::eval_cmd;
use crate::outln;
use crate::task_cmd::Format;
use expressivity_lab::instruments::patching::{Patching, patch};

#[derive(Args)]
pub struct PredictArgs {
    /// A checkpoint written by `lab train --save`, `lab construct` or exported from the page.
    checkpoint: PathBuf,
    /// The prompt tokens, space-separated, in the text format of TASKS.md (as for `lab task
    /// solve`).
    #[arg(
        long,
        required_unless_present = "held_out",
        conflicts_with = "held_out"
    )]
    input: Option<String>,
    /// Instead of a prompt of yours: the first N held-out examples of the checkpoint's run
    /// (its seed's test stream at its trained size, the examples `lab eval` judges).
    #[arg(long, value_name = "N")]
    held_out: Option<usize>,
    /// Print JSON lines instead of text: `{"text", "tokens", "prompt_len", "logits"}` per
    /// sequence, `logits[t]` the model's scores for the token after position `t`. With
    /// `--input` the sequence is the prompt and its greedy completion; with `--held-out`, each
    /// example's reference sequence (prompt, chain of thought, answer).
    #[arg(long)]
    logits: bool,
    /// Activation patching: run the model on the reference sequence of this corrupted prompt
    /// and put back, one at a time, each activation of --input's (the residual stream entering
    /// each layer, at each position), printing the share of the clean answer's logit lead over
    /// the corrupted answer that comes back. The two sequences must have one length and
    /// different answers.
    #[arg(long, value_name = "PROMPT", requires = "input", conflicts_with_all = ["logits", "held_out"])]
    patch: Option<String>,
    /// How --patch prints: a table, or JSON.
    #[arg(long, value_enum, default_value = "text", requires = "patch")]
    format: Format,
    /// Run under this attention mode instead of the checkpoint's.
    #[arg(long, value_parser = eval_cmd::parse_mode)]
    attention: Option<AttentionMode>,
    #[command(flatten)]
    device: DeviceArg,
}

/// One sequence of `--logits`.
#[derive(serde::Serialize)]
struct Logits<'a> {
    text: String,
    tokens: &'a [u32],
    prompt_len: usize,
    logits: Vec<Vec<f32>>,
}

pub fn run(args: PredictArgs) -> Result<(), String> {
    let (device, _) = args.device.resolve()?;
    let loaded = eval_cmd::load(&args.checkpoint, &device)?;
    let meta = loaded.meta.clone();
    let task = meta.train.task().map_err(|e| e.to_string())?;
    let prompts = match (&args.input, args.held_out) {
        (Some(input), _) => vec![checked_prompt(&meta, task.as_ref(), input)?],
        (None, Some(n)) => {
            eval_cmd::check_examples(n).map_err(|e| e.replace("--examples", "--held-out"))?;
            held_out_at_size(&meta.train, meta.train.task.size, n)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|e| (e.tokens[..e.prompt_len].to_vec(), e.tokens))
                .collect()
        }
        (None, None) => return Err("give a prompt (--input) or --held-out N".into()),
    };
    let context = loaded.model.context();
    let (model, _) = eval_cmd::with_mode(loaded, args.attention);
    if let (Some(corrupt), Some((_, clean))) = (&args.patch, prompts.first()) {
        let (_, corrupt) = checked_prompt(&meta, task.as_ref(), corrupt)?;
        let vocab = task.vocab();
        let found = pollster::block_on(patch(
            &model,
            clean,
            &corrupt,
            |id| vocab.text(id).to_string(),
            &device,
        ))
        .map_err(|e| e.to_string())?;
        return match args.format {
            Format::Json => {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&found).map_err(|e| e.to_string())?
                );
                Ok(())
            }
            Format::Text => print_patching(&found, |id| vocab.text(id).to_string()),
        };
    }
    for (prompt, reference) in prompts {
        let sequence = if args.logits && args.input.is_none() {
            reference
        } else {
            let sequences = pollster::block_on(continue_greedily(
                &model,
                &[prompt.as_slice()],
                reference.len().min(context),
                &device,
            ))
            .map_err(|e| e.to_string())?;
            sequences.into_iter().next().unwrap_or_default()
        };
        let text = task.vocab().decode(&sequence);
        if args.logits {
            let line = Logits {
                logits: logits(&model, &sequence, &device)?,
                text,
                tokens: &sequence,
                prompt_len: prompt.len(),
            };
            outln!(
                "{}",
                serde_json::to_string(&line).map_err(|e| e.to_string())?
            );
        } else {
            outln!("{text}");
        }
    }
    Ok(())
}

/// The prompt of `input` (checked by the task's solver) and its reference sequence.
fn checked_prompt(
    meta: &CheckpointMeta,
    task: &dyn Task,
    input: &str,
) -> Result<(Vec<u32>, Vec<u32>), String> {
    // The solver validates the prompt and says how long the completion is.
    let reference = task
        .solve_text(input)
        .map_err(|e| format!("{} prompt: {e}", task.kind().name()))?;
    construct::check_prompt(meta, task, reference.prompt_len)?;
    let context = meta.model.max_len;
    if reference.len() > context {
        return Err(format!(
            "the prompt and its completion take {} tokens but the model's context is {context}",
            reference.len()
        ));
    }
    Ok((reference.prompt().to_vec(), reference.tokens.clone()))
}

/// The model's logits at every position of `tokens`, `[T][V]`.
fn logits(model: &Model, tokens: &[u32], device: &Device) -> Result<Vec<Vec<f32>>, String> {
    let ids: Vec<i64> = tokens.iter().map(|&t| i64::from(t)).collect();
    let input = Tensor::<1, Int>::from_ints(ids.as_slice(), device).reshape([1, ids.len()]);
    let out = model.forward(input).map_err(|e| e.to_string())?;
    let [_, t, v] = out.dims();
    let data = pollster::block_on(out.reshape([t * v]).into_data_async())
        .map_err(|e| format!("reading the logits from the device failed: {e:?}"))?;
    let values: Vec<f32> = data.iter::<f32>().collect();
    Ok(values.chunks(v).map(<[f32]>::to_vec).collect())
}

/// The patching grid, a row per position (the tokens of both sequences, `*` where they differ)
/// and a column per layer input.
fn print_patching(p: &Patching, text: impl Fn(u32) -> String) -> Result<(), String> {
    let layers = p.recovered.len();
    outln!(
        "activation patching: clean answer {} (lead over {} by {:.3} logits), corrupted: {:.3}; \
         share of the lead restored by each clean activation put into the corrupted run",
        text(p.clean_answer),
        text(p.corrupt_answer),
        p.clean_difference,
        p.corrupt_difference
    );
    let mut header = format!("{:>4}  {:>8} {:>8} ", "pos", "clean", "corrupt");
    for l in 0..layers {
        let name = match l {
            0 => "embed".to_string(),
            l if l + 1 == layers => "out".to_string(),
            l => format!("L{l}"),
        };
        header.push_str(&format!(" {name:>7}"));
    }
    outln!("{header}");
    let positions = p.recovered.first().map_or(0, Vec::len);
    for pos in 0..positions {
        let (a, b) = (p.clean[pos], p.corrupt[pos]);
        let mark = if a == b { ' ' } else { '*' };
        let mut row = format!("{pos:>4}{mark} {:>8} {:>8} ", text(a), text(b));
        for layer in &p.recovered {
            row.push_str(&format!(" {:>6.1}%", 100.0 * layer[pos]));
        }
        outln!("{row}");
    }
    outln!(
        "columns: the residual stream entering each layer (embed: the embedded input; out: the final stream); \
         100 %: that activation alone restores the clean answer's lead"
    );
    Ok(())
}
