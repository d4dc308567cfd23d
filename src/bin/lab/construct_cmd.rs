//! `lab construct`: build a construction (hand-set weights realising a theorem's positive
//! side), write it as an ordinary checkpoint and evaluate it on held-out examples.

use std::path::PathBuf;

use burn::prelude::Device;
use clap::Args;

use expressivity_lab::claims::construct::{self, Construction};

use crate::eval_cmd;
use crate::{out_path, outln};

#[derive(Args)]
pub struct ConstructArgs {
    /// The construction (see `lab construct --list`); `list` lists them.
    name: Option<String>,
    /// List the constructions.
    #[arg(long)]
    list: bool,
    /// The task size to build for (default: the construction's).
    #[arg(long)]
    size: Option<usize>,
    /// Where to write the checkpoint (default: `NAME-SIZE.safetensors`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the --out file if it exists (without it an existing file, e.g. a trained
    /// checkpoint, is kept and nothing is written).
    #[arg(long)]
    force: bool,
    /// Sizes to evaluate at after building (default: the built size; each must fit the
    /// context).
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    /// Held-out examples per size.
    #[arg(long, default_value_t = 256)]
    examples: usize,
}

pub fn run(args: ConstructArgs) -> Result<(), String> {
    let name = match args.name.as_deref() {
        _ if args.list => None,
        Some("list") => None,
        Some(name) => Some(name),
        None => return Err("name a construction (see `lab construct --list`)".into()),
    };
    let Some(name) = name else {
        return list();
    };
    eval_cmd::check_examples(args.examples)?;
    let construction = construct::find(name).map_err(|e| e.to_string())?;
    let size = args.size.unwrap_or(construction.default_size);
    let built = construction.build(size).map_err(|e| e.to_string())?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}-{size}.safetensors")));
    let sizes = if args.sizes.is_empty() {
        vec![size]
    } else {
        args.sizes.clone()
    };
    // Every size must be one the construction is valid for, before anything is written.
    let refused: Vec<String> = sizes
        .iter()
        .filter_map(|&n| {
            construct::check_size(&built.meta, n)
                .err()
                .map(|e| format!("{n}: {e}"))
        })
        .collect();
    if !refused.is_empty() {
        return Err(format!(
            "cannot evaluate at --sizes {}; nothing written",
            refused.join("; ")
        ));
    }
    let output = out_path::output(&out, args.force)?;
    output.write(&built.bytes)?;
    let arch = &built.meta.train.model;
    let attention = if arch.architecture.has_attention_modes() {
        format!(" · {} attention", arch.attention.name())
    } else {
        String::new()
    };
    outln!(
        "wrote {} ({} bytes): {}{attention} · {} positions · {} parameters",
        out.display(),
        built.bytes.len(),
        built.meta.train.summary(),
        arch.positional.name(),
        built.meta.model.param_count()
    );
    outln!("{}", eval_cmd::origin(&built.meta));
    // Judge the file as written, through the same loader and evaluator as a trained one.
    let device = Device::flex();
    let loaded = eval_cmd::load(&out, &device)?;
    let (model, _) = eval_cmd::with_mode(loaded, None);
    let reports = eval_cmd::evaluate(&model, &built.meta, &sizes, args.examples, &device)?;
    eval_cmd::print_table(&reports, args.examples)?;
    outln!(
        "other modes: lab eval {} --attention softmax|saturated|hard",
        out.display()
    );
    eval_cmd::all_evaluated(&reports)
}

fn list() -> Result<(), String> {
    outln!(
        "{:<14} {:<14} {:<10} {:<8} model",
        "construction",
        "task",
        "sizes",
        "default"
    );
    for c in construct::ALL {
        let Construction {
            name,
            task,
            min_size,
            max_size,
            default_size,
            model,
            claim,
            ..
        } = c;
        outln!(
            "{name:<14} {:<14} {:<10} {default_size:<8} {model}",
            task.name(),
            format!("{min_size}..{max_size}")
        );
        outln!("{:<14} {claim}", "");
    }
    Ok(())
}
