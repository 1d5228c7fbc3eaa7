//! The `toolexec` command line (docs/CONTRACTS.md, the command line).
//!
//! Exit codes: 0 ok; 1 the work ran but some call did not succeed; 2 bad usage or bad
//! input (a clear message on stderr, nothing executed).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use toolexec_cli::commands::telemetry::start_telemetry;
use toolexec_cli::commands::{
    self, ask, cancel, config_check, data, history, mcp_serve, redrive, run, serve, stats, tools,
    Common, BAD_INPUT,
};
use toolexec_telemetry::LogFormat;

/// jemalloc gives the memory of a burst (a slow-client attack, a load spike) back to
/// the system once it is over; glibc's per-thread arenas kept 10-30% of such a burst.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Tool execution for AI agents, and a supply-chain assistant built on it.
#[derive(Debug, Parser)]
#[command(name = "toolexec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines on stderr are written: `text` or `json` (one object per line).
    /// Which lines: `RUST_LOG` (default `warn,toolexec=info`).
    #[arg(long, global = true, value_name = "FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ask the supply-chain assistant a question.
    Ask(ask::AskArgs),
    /// Run a batch of tool calls from a JSON file.
    Run(run::RunArgs),
    /// List the registered tools.
    Tools(tools::ToolsArgs),
    /// Show the statistics of a running server.
    Stats(stats::StatsArgs),
    /// Cancel a batch running on a server.
    Cancel(cancel::CancelArgs),
    /// Show the journal's ended calls, newest first.
    History(history::HistoryArgs),
    /// Run again the failed, timed-out, cancelled or interrupted calls of a journaled batch.
    Redrive(redrive::RedriveArgs),
    /// Serve the HTTP API, event stream, metrics and dashboard.
    Serve(serve::ServeArgs),
    /// Serve the registered tools over MCP (stdio, or streamable HTTP with --http).
    McpServe(mcp_serve::McpServeArgs),
    /// Configuration files.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The embedded sample database.
    #[command(subcommand)]
    Data(DataCommand),
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Check a configuration file: keys, values, tools and policies.
    Check(config_check::CheckArgs),
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Create (or re-create) the sample data set.
    Seed(data::SeedArgs),
}

impl Command {
    /// The options of the commands that read a configuration file.
    fn common_mut(&mut self) -> Option<&mut Common> {
        match self {
            Command::Ask(args) => Some(&mut args.common),
            Command::Run(args) => Some(&mut args.common),
            Command::Tools(args) => Some(&mut args.common),
            Command::History(args) => Some(&mut args.common),
            Command::Redrive(args) => Some(&mut args.common),
            Command::Serve(args) => Some(&mut args.common),
            Command::McpServe(args) => Some(&mut args.common),
            Command::Data(DataCommand::Seed(args)) => Some(&mut args.common),
            Command::Stats(_) | Command::Cancel(_) | Command::Config(_) => None,
        }
    }
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    // The configuration is read once, here: telemetry starts from it before the
    // runtime (the exporters' threads and HTTP client are their own), and the command
    // takes the same one.
    let config = cli
        .command
        .common_mut()
        .map(Common::preload_config)
        .transpose();
    let telemetry = match config.and_then(|config| start_telemetry(cli.log_format, config)) {
        Ok(telemetry) => telemetry,
        Err(error) => {
            eprintln!("toolexec: {error:#}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("toolexec: cannot start the async runtime: {e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Ask(args) => ask::run(args).await,
            Command::Run(args) => run::run(args).await,
            Command::Tools(args) => tools::run(args).await,
            Command::Stats(args) => stats::run(args).await,
            Command::Cancel(args) => cancel::run(args).await,
            Command::History(args) => history::run(args).await,
            Command::Redrive(args) => redrive::run(args).await,
            Command::Serve(args) => serve::run(args).await,
            Command::McpServe(args) => mcp_serve::run(args).await,
            Command::Config(ConfigCommand::Check(args)) => config_check::run(args).await,
            Command::Data(DataCommand::Seed(args)) => data::run(args).await,
        }
    });
    // The runtime ends first, so the last spans have closed when telemetry flushes.
    drop(runtime);
    if let Err(error) = telemetry.shutdown() {
        eprintln!("toolexec: {error}");
    }
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("toolexec: {error:#}");
            ExitCode::from(commands::BAD_INPUT)
        }
    }
}
