//! `toolexec redrive BATCH_ID`: runs again the calls of a journaled batch that ended
//! `failed`, `timeout`, `cancelled` or `interrupted`, as a new batch linked to it.

use std::path::PathBuf;
use std::process::ExitCode;

use reqwest::Method;
use serde_json::json;
use toolexec::BatchOptions;
use toolexec_journal::redrive;

use super::{exit_for, print_json, server_client, Common, BAD_INPUT};
use crate::assemble::{self, Overrides};
use crate::output::{emit, envelope_table};

/// Arguments of `toolexec redrive`.
#[derive(Debug, clap::Args)]
pub struct RedriveArgs {
    /// The journaled batch (`b-7`).
    pub batch_id: String,
    /// Redrive from this journal file, running the calls here (for batches of
    /// `toolexec run --journal FILE`); without it, the running server redrives the
    /// batch from its own journal.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// The server to ask when no `--journal` is given.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "TOOLEXEC_SERVER")]
    pub server: String,
    /// Machine output: the new batch's envelopes and the calls skipped, as JSON.
    #[arg(long)]
    pub json: bool,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// Runs the command. Exit 0 when every redriven call succeeded, 1 when some did not,
/// 2 when the batch is unknown, still running or has nothing to redrive.
pub async fn run(args: RedriveArgs) -> anyhow::Result<ExitCode> {
    if args.batch_id.trim().is_empty() {
        anyhow::bail!("the batch id is empty");
    }
    match args.journal.clone() {
        Some(path) => locally(args, path).await,
        None => on_server(args).await,
    }
}

/// Redrives from a journal file, running the calls in this process and journaling
/// the new batch in the same file.
async fn locally(args: RedriveArgs, path: PathBuf) -> anyhow::Result<ExitCode> {
    if !path.is_file() {
        eprintln!("toolexec: no journal at {}", path.display());
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let config = args.common.load_config()?;
    let journal = crate::journal::open(&path, &config.journal)?;
    let Some(detail) = journal.store().batch(&args.batch_id)? else {
        eprintln!(
            "toolexec: the journal {} holds no batch `{}`",
            path.display(),
            args.batch_id
        );
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let store = assemble::open_store(&args.common.db_path())?;
    let overrides = Overrides {
        journal: Some(journal.clone()),
        ..Overrides::default()
    };
    let executor = assemble::executor(&config, store, overrides).await?;
    let plan = match redrive::plan(&detail, &executor.tools()) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("toolexec: {error}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    for skipped in &plan.skipped {
        eprintln!(
            "toolexec: skipped {} ({}): {}",
            skipped.call_id, skipped.tool, skipped.reason
        );
    }
    if plan.calls.is_empty() {
        eprintln!("toolexec: nothing to redrive in `{}`", args.batch_id);
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let batch_id = toolexec::Journal::new_batch_id(&*journal);
    let options = BatchOptions::default()
        .with_batch_id(batch_id.clone())
        .with_redrive_of(args.batch_id.as_str());
    let envelopes = executor.execute_batch(plan.calls, options).await;
    crate::journal::flush(&journal);
    let all_succeeded = envelopes.iter().all(|e| e.success);
    if args.json {
        print_json(&json!({
            "batch_id": &*batch_id,
            "redrive_of": args.batch_id,
            "envelopes": envelopes,
            "skipped": plan.skipped,
        }))?;
    } else {
        emit(envelope_table(&envelopes));
        let ok = envelopes.iter().filter(|e| e.success).count();
        emit(format!(
            "{batch_id} redrives {}: {ok} of {} calls succeeded, {} skipped",
            args.batch_id,
            envelopes.len(),
            plan.skipped.len()
        ));
    }
    Ok(exit_for(all_succeeded))
}

/// Asks the server: `POST /v1/batches/{id}/redrive`.
async fn on_server(args: RedriveArgs) -> anyhow::Result<ExitCode> {
    let segments = ["v1", "batches", args.batch_id.as_str(), "redrive"];
    let answer = server_client::ask(&args.server, Method::POST, &segments).await?;
    if !answer.status.is_success() {
        eprintln!("toolexec: {}", answer.error_message());
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let body = answer.body;
    let envelopes: Vec<toolexec::Envelope> =
        serde_json::from_value(body["envelopes"].clone()).unwrap_or_default();
    if args.json {
        print_json(&body)?;
    } else {
        emit(envelope_table(&envelopes));
        for skipped in body["skipped"].as_array().into_iter().flatten() {
            emit(format!(
                "skipped {} ({}): {}",
                skipped["call_id"].as_str().unwrap_or("?"),
                skipped["tool"].as_str().unwrap_or("?"),
                skipped["reason"].as_str().unwrap_or("")
            ));
        }
        emit(format!(
            "{} redrives {}",
            body["batch_id"].as_str().unwrap_or("?"),
            args.batch_id
        ));
    }
    Ok(exit_for(envelopes.iter().all(|e| e.success)))
}
