//! `toolexec run --file BATCH.json`: runs a batch and prints envelopes in request order.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use toolexec::{BatchOptions, FailureMode};

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
