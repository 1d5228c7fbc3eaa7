//! The `toolexec` command line (DESIGN.md section 5).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tool execution for AI agents, and a supply-chain assistant built on it.
#[derive(Debug, Parser)]
#[command(name = "toolexec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ask the supply-chain assistant a question.
    Ask {
        /// The question, in plain words.
        question: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Ask { question } => {
            eprintln!(
                "toolexec ask: the supply-chain assistant is not yet available (asked: {question:?})"
            );
            ExitCode::from(2)
        }
    }
}
