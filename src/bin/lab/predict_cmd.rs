//! `lab predict`: run a checkpoint on your own prompt. Prints the prompt followed by the
//! model's greedy completion, up to where the task's answer ends, in the format of `lab task
//! solve` (which prints the reference), so the two can be diffed.

use crate::device_arg::DeviceArg;
use expressivity_lab::claims::construct;
use std::path::PathBuf;

use clap::Args;

use expressivity_lab::models::AttentionMode;
use expressivity_lab::train::eval::continue_greedily;

use crate::eval_cmd;
use crate::outln;

#[derive(Args)]
pub struct PredictArgs {
    /// A checkpoint written by `lab train --save`, `lab construct` or exported from the page.
    checkpoint: PathBuf,
    /// The prompt tokens, space-separated, in the text format of TASKS.md (as for `lab task
    /// solve`).
    #[arg(long)]
    input: String,
    /// Run under this attention mode instead of the checkpoint's.
    #[arg(long, value_parser = eval_cmd::parse_mode)]
    attention: Option<AttentionMode>,
    #[command(flatten)]
    device: DeviceArg,
}

pub fn run(args: PredictArgs) -> Result<(), String> {
    let (device, _) = args.device.resolve()?;
    let loaded = eval_cmd::load(&args.checkpoint, &device)?;
    let task = loaded.meta.train.task().map_err(|e| e.to_string())?;
    // The solver validates the prompt and says how long the completion is.
    let reference = task
        .solve_text(&args.input)
        .map_err(|e| format!("{} prompt: {e}", task.kind().name()))?;
    construct::check_prompt(&loaded.meta, task.as_ref(), reference.prompt_len)?;
    let context = loaded.model.context();
    if reference.len() > context {
        return Err(format!(
            "the prompt and its completion take {} tokens but the model's context is {context}",
            reference.len()
        ));
    }
    let (model, _) = eval_cmd::with_mode(loaded, args.attention);
    let sequences = pollster::block_on(continue_greedily(
        &model,
        &[reference.prompt()],
        reference.len(),
        &device,
    ))
    .map_err(|e| e.to_string())?;
    outln!("{}", task.vocab().decode(&sequences[0]));
    Ok(())
}
