//! `lab eval`: load a checkpoint and evaluate it — teacher-forced and greedy (cached decoder),
//! at its training size and at other sizes (length generalisation).

use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use expressivity_lab::train::checkpoint;
use expressivity_lab::train::eval::at_size;
use expressivity_lab::train::yield_now::yield_now;

#[derive(Args)]
pub struct EvalArgs {
    /// A checkpoint written by `lab train --save` or exported from the page.
    checkpoint: PathBuf,
    /// Task sizes to evaluate at (default: the training size).
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    /// Held-out examples per size.
    #[arg(long, default_value_t = 256)]
    examples: usize,
    /// Also write the results as JSON.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: EvalArgs) -> Result<(), String> {
    let bytes = std::fs::read(&args.checkpoint)
        .map_err(|e| format!("{}: {e}", args.checkpoint.display()))?;
    let device = burn::prelude::Device::flex();
    let loaded = checkpoint::load(&bytes, &device)
        .map_err(|e| format!("{}: {e}", args.checkpoint.display()))?;
    let meta = &loaded.meta;
    let train = &meta.train;
    println!(
        "{}: {} · {} steps trained · {}",
        args.checkpoint.display(),
        train.summary(),
        meta.steps_done,
        if meta.note.is_empty() {
            "-"
        } else {
            &meta.note
        }
    );
    let sizes = if args.sizes.is_empty() {
        vec![train.task.size]
    } else {
        args.sizes.clone()
    };
    let bar = ProgressBar::new(sizes.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} sizes · {msg} [{elapsed}]")
            .map_err(|e| e.to_string())?,
    );
    let mut reports = Vec::new();
    for &size in &sizes {
        bar.set_message(format!("size {size}"));
        let report = pollster::block_on(async {
            yield_now().await;
            at_size(&loaded.model, train, size, args.examples, &device).await
        });
        match report {
            Ok(r) => reports.push(Ok(r)),
            Err(e) => reports.push(Err((size, e.to_string()))),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>10}",
        "size", "TF exact", "TF answer", "gen full", "gen answer"
    );
    for report in &reports {
        match report {
            Ok(r) => println!(
                "{:>6} {:>9.1}% {:>9.1}% {:>9.1}% {:>9.1}%",
                r.size,
                100.0 * r.teacher_forced.exact,
                100.0 * r.teacher_forced.answer,
                100.0 * r.greedy.full,
                100.0 * r.greedy.answer
            ),
            Err((size, e)) => println!("{size:>6} error: {e}"),
        }
    }
    println!(
        "TF = teacher-forced (every CoT token given), gen = greedy generation with the cache; {} examples per size",
        args.examples
    );
    if let Some(out) = &args.out {
        let ok: Vec<_> = reports.iter().filter_map(|r| r.as_ref().ok()).collect();
        let json = serde_json::to_string_pretty(&ok).map_err(|e| e.to_string())?;
        std::fs::write(out, json).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    if reports.iter().all(Result::is_err) {
        return Err("no size could be evaluated".into());
    }
    Ok(())
}
