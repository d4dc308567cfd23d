//! `lab`: the native command-line face of Expressivity Lab (thin shell over `tasks` and
//! `train`).

#[cfg(not(target_arch = "wasm32"))]
mod task_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod train_cmd;

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
        /// Train a softmax transformer on LIS with chain of thought and report accuracy.
        Train(train_cmd::TrainArgs),
        /// List, sample and solve the tasks of the three papers.
        #[command(subcommand)]
        Task(task_cmd::TaskCommand),
    }

    let result = match Cli::parse().command {
        Command::Train(args) => train_cmd::run(args),
        Command::Task(command) => task_cmd::run(command),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
