//! `toolexec cancel BATCH_ID`: cancels a batch running on a `toolexec serve`.

use std::process::ExitCode;

use reqwest::Method;

use super::{print_json, server_client, BAD_INPUT, OK};
use crate::output::emit;

/// Arguments of `toolexec cancel`.
#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    /// The batch, as `POST /v1/batches` named it (`b-7`).
    pub batch_id: String,
    /// The server to ask.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "TOOLEXEC_SERVER")]
    pub server: String,
    /// Machine output: the server's view of the batch.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command: `DELETE /v1/batches/{id}`. Exit 0 when the batch is cancelled
/// (or had finished), 2 when the server does not know it or cannot be reached.
pub async fn run(args: CancelArgs) -> anyhow::Result<ExitCode> {
    if args.batch_id.trim().is_empty() {
        anyhow::bail!("the batch id is empty");
    }
    let segments = ["v1", "batches", args.batch_id.as_str()];
    let answer = server_client::ask(&args.server, Method::DELETE, &segments).await?;
    if !answer.status.is_success() {
        eprintln!("toolexec: {}", answer.error_message());
        return Ok(ExitCode::from(BAD_INPUT));
    }
    let body = answer.body;
    if args.json {
        print_json(&body)?;
        return Ok(ExitCode::from(OK));
    }
    let cancelled = body["calls"].as_array().map_or(0, |calls| {
        calls.iter().filter(|c| c["status"] == "cancelled").count()
    });
    let what = if body["cancelled"] == true {
        "cancelled"
    } else {
        "had already finished"
    };
    emit(format!(
        "batch {}: {what}; {} of {} calls cancelled, status {}",
        args.batch_id,
        cancelled,
        body["total"],
        body["status"].as_str().unwrap_or("unknown")
    ));
    Ok(ExitCode::from(OK))
}
