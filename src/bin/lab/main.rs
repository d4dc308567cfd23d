//! `lab`: the native command-line face of Expressivity Lab (thin shell over `tasks` and
//! `train`).

#[cfg(not(target_arch = "wasm32"))]
mod ablate_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod agreement_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod bench_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod claims_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod construct_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod data_arg;
#[cfg(not(target_arch = "wasm32"))]
mod device_arg;
#[cfg(not(target_arch = "wasm32"))]
mod eval_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod grid_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod lens_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod model_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod out;
#[cfg(not(target_arch = "wasm32"))]
mod out_path;
#[cfg(not(target_arch = "wasm32"))]
mod predict_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod probe_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod task_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod train_cmd;

/// mimalloc keeps freed buffers for the next step's tensors, where glibc returned them to the
/// kernel (see `Cargo.toml`).
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::{Parser, Subcommand};

    #[derive(Parser)]
    #[command(name = "lab", about = "Expressivity Lab on the command line", version)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Train any architecture on any task, report accuracy, optionally save a checkpoint.
        Train(Box<train_cmd::TrainArgs>),
        /// Evaluate a checkpoint (teacher-forced and greedy generation) at one or more sizes.
        Eval(eval_cmd::EvalArgs),
        /// Run a checkpoint on a prompt: the prompt and the model's greedy completion, in the
        /// format of `lab task solve`.
        Predict(predict_cmd::PredictArgs),
        /// Build a theorem's construction (hand-set weights) as a checkpoint and evaluate it.
        Construct(construct_cmd::ConstructArgs),
        /// List, sample and solve the tasks of the three papers.
        #[command(subcommand)]
        Task(task_cmd::TaskCommand),
        /// Check the architecture zoo's equivalences and print its costs.
        #[command(subcommand)]
        Model(model_cmd::ModelCommand),
        /// Replaced by `lab claims run` (the presets are claims) and `lab claims grid` (your
        /// own grid); says so and exits.
        #[command(hide = true)]
        Sweep {
            #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
            rest: Vec<String>,
        },
        /// The papers' claims: list them, run a claim's grid (resumable, sharded), merge
        /// shards, print the verdict with its confidence intervals.
        #[command(subcommand)]
        Claims(claims_cmd::ClaimsCommand),
        /// Benchmarks that print figures.
        #[command(subcommand)]
        Bench(bench_cmd::BenchCommand),
    }

    let result = match Cli::parse().command {
        Command::Train(args) => train_cmd::run(*args),
        Command::Eval(args) => eval_cmd::run(args),
        Command::Predict(args) => predict_cmd::run(args),
        Command::Construct(args) => construct_cmd::run(args),
        Command::Task(command) => task_cmd::run(command),
        Command::Model(command) => model_cmd::run(command),
        Command::Bench(command) => bench_cmd::run(command),
        Command::Sweep { .. } => Err("`lab sweep` was replaced by the claims' one grid engine: \
             its presets are claims (`lab claims list`; `lab claims run index-lookup|dyck|\
             equality|majority|dp-width-lis|dp-width-ed|locality --quick --out FILE`), and a \
             custom sweep is `lab claims grid --task … --sizes … --widths … --archs … --out FILE`"
            .to_string()),
        Command::Claims(command) => claims_cmd::run(command),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of a pipe stopped reading (`lab … | head -1`): not a failure of ours.
        Err(message) if message == out::STDOUT_CLOSED => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {}", out::printable(&message));
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
