//! `lab task list | show | sample | solve`: the task suite, and your own data, on the command
//! line.

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::data_arg::DataArg;
use crate::outln;
use expressivity_lab::tasks::{Example, Segment, Task, TaskKind, TaskParams, TaskRng};
use expressivity_lab::train::{TrainConfig, held_out::held_out};

#[derive(Subcommand)]
pub enum TaskCommand {
    /// Names, size ranges, parameters, what each task tests and which paper it comes from.
    List,
    /// One task in detail: its vocabulary, and for your own data (`show custom --data FILE`)
    /// what was read and the held-out split of a seed.
    Show(ShowArgs),
    /// Print generated examples (prompt, CoT, answer).
    Sample(SampleArgs),
    /// Print a prompt followed by its reference CoT and answer.
    Solve(SolveArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Parameters beyond size; each task takes only its own. Every parameter can be given as
/// `--param NAME=VALUE`; the ones tasks had first also have a flag of their own.
#[derive(Args)]
pub struct ParamArgs {
    #[arg(long, help = flag_help("brackets"))]
    brackets: Option<usize>,
    #[arg(long, help = flag_help("depth"))]
    depth: Option<usize>,
    #[arg(long, help = flag_help("bits"))]
    bits: Option<usize>,
    #[arg(long, help = flag_help("symbols"))]
    symbols: Option<usize>,
    /// Any task parameter by name (repeatable; see `lab task list`).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    param: Vec<(String, usize)>,
}

impl ParamArgs {
    pub fn params(&self) -> TaskParams {
        let flags = [
            ("brackets", self.brackets),
            ("depth", self.depth),
            ("bits", self.bits),
            ("symbols", self.symbols),
        ];
        let flags = flags
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_string(), value?)));
        flags.chain(self.param.iter().cloned()).collect()
    }
}

/// The help line of a parameter's flag, from the tasks that take it:
/// `Bounded Dyck: number of bracket types k (1..=4, default 2)`.
fn flag_help(name: &str) -> String {
    TaskKind::all()
        .iter()
        .filter_map(|k| Some((k.info().title, k.info().param(name)?)))
        .map(|(task, p)| {
            format!(
                "{task}: {} ({}..={}, default {})",
                p.meaning, p.min, p.max, p.default
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `NAME=VALUE` of `--param`.
fn parse_param(text: &str) -> Result<(String, usize), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got `{text}`"))?;
    let value = value
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not a whole number"))?;
    Ok((name.trim().to_string(), value))
}

#[derive(Args)]
pub struct ShowArgs {
    /// Task name (see `lab task list`), or `custom` with --data.
    task: String,
    /// Problem size (default: the task's default).
    #[arg(long)]
    size: Option<usize>,
    /// The seed whose held-out split is shown.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Held-out examples asked for (as `lab train --eval-examples`).
    #[arg(long, default_value_t = TrainConfig::default().eval_examples)]
    eval_examples: usize,
    #[command(flatten)]
    data: DataArg,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(Args)]
pub struct SampleArgs {
    /// Task name (see `lab task list`).
    #[arg(long)]
    task: String,
    /// Problem size (default: the task's default).
    #[arg(long)]
    size: Option<usize>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value_t = 1)]
    count: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    data: DataArg,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(Args)]
pub struct SolveArgs {
    /// Task name (see `lab task list`).
    #[arg(long)]
    task: String,
    /// The prompt tokens, space-separated, in the text format of TASKS.md.
    #[arg(long)]
    input: String,
    #[command(flatten)]
    data: DataArg,
    #[command(flatten)]
    params: ParamArgs,
}

pub fn run(command: TaskCommand) -> Result<(), String> {
    match command {
        TaskCommand::List => list(),
        TaskCommand::Show(args) => show(args),
        TaskCommand::Sample(args) => sample(args),
        TaskCommand::Solve(args) => solve(args),
    }
}

fn list() -> Result<(), String> {
    outln!(
        "{:<17} {:<10} {:<4} {:<26} {:<25} tests",
        "task",
        "sizes",
        "CoT",
        "parameters",
        "paper"
    );
    for &kind in TaskKind::all() {
        let info = kind.info();
        let params = info
            .params
            .iter()
            .map(|p| format!("{}={}..{}", p.name, p.min, p.max))
            .collect::<Vec<_>>()
            .join(" ");
        outln!(
            "{:<17} {:<10} {:<4} {:<26} {:<25} {} (size = {})",
            info.name,
            format!("{}..{}", info.min_size, info.max_size),
            if info.chain_of_thought { "yes" } else { "no" },
            if params.is_empty() {
                "-".into()
            } else {
                params
            },
            info.paper.short(),
            info.tests,
            info.size_meaning,
        );
    }
    Ok(())
}

fn build(
    name: &str,
    size: Option<usize>,
    params: &ParamArgs,
    data: &DataArg,
) -> Result<Box<dyn Task>, String> {
    let name = data.task_name(Some(name), name)?;
    let kind = TaskKind::from_name(name).map_err(|e| e.to_string())?;
    let mut spec = data.spec(kind)?;
    spec.size = size.unwrap_or(spec.size);
    spec.params = params.params();
    spec.build().map_err(|e| e.to_string())
}

/// Held-out lines printed by `show`.
const SHOWN_LINES: usize = 5;

fn show(args: ShowArgs) -> Result<(), String> {
    let task = build(&args.task, args.size, &args.params, &args.data)?;
    let info = task.base().info;
    outln!("{} — {}: {}", info.name, info.title, info.tests);
    if let Some(data) = task.dataset() {
        outln!(
            "data: {} (fingerprint {})",
            data.name(),
            data.fingerprint_hex()
        );
        outln!("{}", data.describe(args.eval_examples));
    } else {
        outln!(
            "size {} ({}) · longest sequence {} tokens",
            task.size(),
            info.size_meaning,
            task.max_seq_len()
        );
    }
    let vocab = task.vocab();
    outln!(
        "vocabulary ({} tokens): {}",
        vocab.len(),
        vocab.tokens().join(" ")
    );
    if task.dataset().is_some() {
        let test = held_out(task.as_ref(), args.seed, args.eval_examples);
        outln!(
            "held out for seed {} ({} asked for, at most a quarter of the data): {} lines, never trained on; the first {}:",
            args.seed,
            args.eval_examples,
            test.len(),
            test.len().min(SHOWN_LINES)
        );
        for ex in test.iter().take(SHOWN_LINES) {
            outln!("  {}", task.render(ex));
        }
    }
    Ok(())
}

/// One example as JSON.
#[derive(Serialize)]
struct Record<'a> {
    task: &'a str,
    size: usize,
    seed: u64,
    index: usize,
    text: String,
    prompt: String,
    cot: String,
    answer: String,
    tokens: &'a [u32],
    /// Segment of every token.
    segments: Vec<Segment>,
    dependency_reach: usize,
}

/// Examples are generated and printed one at a time: memory stays that of one example
/// whatever `--count` is, and a closed pipe stops the generation.
fn sample(args: SampleArgs) -> Result<(), String> {
    if !(1..=100_000).contains(&args.count) {
        return Err(format!("--count must be in 1..=100000, got {}", args.count));
    }
    let task = build(&args.task, args.size, &args.params, &args.data)?;
    let mut rng = TaskRng::new(args.seed, 0);
    let json = matches!(args.format, Format::Json);
    if json {
        outln!("[");
    }
    for index in 0..args.count {
        let ex = task.generate(&mut rng);
        if !json {
            outln!("{}", task.render(&ex));
            continue;
        }
        let record = record(task.as_ref(), args.seed, index, &ex);
        outln!("{}", json_item(&record, index + 1 == args.count)?);
    }
    if json {
        outln!("]");
    }
    Ok(())
}

/// One record as an item of a pretty-printed JSON array (indented by two spaces, a comma
/// after every item but the last): the streamed output equals `to_string_pretty` of the array.
fn json_item(record: &Record<'_>, last: bool) -> Result<String, String> {
    let text = serde_json::to_string_pretty(record).map_err(|e| e.to_string())?;
    Ok(format!(
        "  {}{}",
        text.replace('\n', "\n  "),
        if last { "" } else { "," }
    ))
}

fn record<'a>(task: &'a dyn Task, seed: u64, index: usize, ex: &'a Example) -> Record<'a> {
    let vocab = task.vocab();
    Record {
        task: task.kind().name(),
        size: task.size(),
        seed,
        index,
        text: task.render(ex),
        prompt: vocab.decode(ex.prompt()),
        cot: vocab.decode(ex.cot()),
        answer: vocab.decode(ex.answer()),
        tokens: &ex.tokens,
        segments: (0..ex.len()).map(|p| ex.segment(p)).collect(),
        dependency_reach: ex.dependency_reach(),
    }
}

fn solve(args: SolveArgs) -> Result<(), String> {
    let task = build(&args.task, None, &args.params, &args.data)?;
    let example = task.solve_text(&args.input).map_err(|e| e.to_string())?;
    outln!("{}", task.render(&example));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use expressivity_lab::tasks::TaskSpec;

    #[test]
    fn streamed_json_equals_the_pretty_printed_array() {
        let task = TaskSpec::new(TaskKind::Ed, 3).build().unwrap();
        let examples = task.sample(4, 3);
        let records: Vec<Record> = examples
            .iter()
            .enumerate()
            .map(|(i, ex)| record(task.as_ref(), 4, i, ex))
            .collect();
        let mut streamed = vec!["[".to_string()];
        for (i, r) in records.iter().enumerate() {
            streamed.push(json_item(r, i + 1 == records.len()).unwrap());
        }
        streamed.push("]".to_string());
        assert_eq!(
            streamed.join("\n"),
            serde_json::to_string_pretty(&records).unwrap()
        );
    }
}
