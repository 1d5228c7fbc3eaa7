//! `toolexec run --file BATCH.json`: runs a batch and prints envelopes in request order,
//! or, with `--stream`, one JSON envelope a line as each call ends.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use futures::StreamExt;
use toolexec::{BatchOptions, Envelope, Executor, FailureMode, ToolCall};

use super::{exit_for, print_json, Common};
use crate::assemble::{self, Overrides};
use crate::{batch_file, output, progress::Progress};

/// Arguments of `toolexec run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The batch file: {"calls": [{"tool": ..., "input": {...}}, ...]}.
    #[arg(long)]
    pub file: PathBuf,
    /// Attempts that may run at once (replaces executor.max_concurrency).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,
    /// A deadline for the whole batch, in milliseconds.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline_ms: Option<u64>,
    /// Cancel the rest of the batch at the first failure.
    #[arg(long, conflicts_with = "tolerate")]
    pub fail_fast: bool,
    /// Cancel the rest of the batch once more than N calls have failed.
    #[arg(long, value_name = "N")]
    pub tolerate: Option<usize>,
    /// Machine output: a JSON array of envelopes, in request order.
    #[arg(long)]
    pub json: bool,
    /// Machine output as the calls end: one JSON envelope a line (NDJSON), in the order
    /// the calls end; exit codes as without it.
    #[arg(long, conflicts_with = "json")]
    pub stream: bool,
    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the batch and every call down in this durable journal as they run
    /// (`toolexec history --journal FILE` reads it back; a killed run's unfinished
    /// calls become `interrupted`).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// Runs the command.
pub async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let batch = batch_file::load(&args.file)?;
    let config = args.common.load_config()?;
    let store = assemble::open_store(&args.common.db_path())?;
    let journal = match &args.journal {
        Some(path) => Some(crate::journal::open(path, &config.journal)?),
        None => None,
    };
    let overrides = Overrides {
        max_concurrency: args.concurrency.map(|n| n as usize),
        journal: journal
            .clone()
            .map(|j| j as std::sync::Arc<dyn toolexec::Journal>),
        ..Overrides::default()
    };
    let executor = assemble::executor(&config, store, overrides).await?;
    let failure_mode = match (args.fail_fast, args.tolerate) {
        (true, _) => FailureMode::FailFast,
        (false, Some(n)) => FailureMode::Tolerate(n),
        (false, None) => FailureMode::CollectAll,
    };
    let mut options = BatchOptions::default().with_failure_mode(failure_mode);
    options.deadline = args.deadline_ms.map(Duration::from_millis);

    let progress = Progress::start(&executor, batch.calls.len(), args.quiet);
    if args.stream {
        let all_succeeded = print_as_they_end(&executor, batch.calls, options).await?;
        progress.finish().await;
        if let Some(journal) = &journal {
            crate::journal::flush(journal);
        }
        return Ok(exit_for(all_succeeded));
    }
    let envelopes = executor.execute_batch(batch.calls, options).await;
    progress.finish().await;
    if let Some(journal) = &journal {
        crate::journal::flush(journal);
    }

    let all_succeeded = envelopes.iter().all(|e| e.success);
    if args.json {
        print_json(&envelopes)?;
    } else {
        crate::output::emit(output::envelope_table(&envelopes));
        let ok = envelopes.iter().filter(|e| e.success).count();
        crate::output::emit(format!("{ok} of {} calls succeeded", envelopes.len()));
    }
    Ok(exit_for(all_succeeded))
}

/// Runs the batch and prints each envelope as one JSON line as its call ends; whether
/// every call succeeded.
async fn print_as_they_end(
    executor: &Executor,
    calls: Vec<ToolCall>,
    options: BatchOptions,
) -> anyhow::Result<bool> {
    let mut ended = executor.execute_batch_stream(calls, options);
    let mut all_succeeded = true;
    while let Some((_, envelope)) = ended.next().await {
        all_succeeded &= envelope.success;
        output::emit(serde_json::to_string::<Envelope>(&envelope)?);
    }
    Ok(all_succeeded)
}
