//! `toolexec cancel BATCH_ID`: cancels a batch running on a `toolexec serve`.

use std::process::ExitCode;

use serde_json::Value;

use super::{print_json, BAD_INPUT, OK};
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
    let mut url = reqwest::Url::parse(&args.server)
        .map_err(|e| anyhow::anyhow!("--server `{}` is not a URL: {e}", args.server))?;
    url.path_segments_mut()
        .map_err(|()| anyhow::anyhow!("--server `{}` cannot take a path", args.server))?
        .pop_if_empty()
        .extend(["v1", "batches", args.batch_id.as_str()]);
    let url = url.to_string();
    let mut request = reqwest::Client::new().delete(&url);
    if let Ok(token) = std::env::var(toolexec_server::TOKEN_ENV) {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| {
        anyhow::anyhow!(
            "cannot reach {url}: {} (is `toolexec serve` running?)",
            e.without_url()
        )
    })?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        eprintln!(
            "toolexec: {url} answered {status}: {}",
            body["error"]["message"].as_str().unwrap_or("no message")
        );
        return Ok(ExitCode::from(BAD_INPUT));
    }
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
