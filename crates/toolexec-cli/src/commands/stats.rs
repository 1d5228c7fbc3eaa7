//! `toolexec stats`: execution statistics of a running `toolexec serve`.

use std::process::ExitCode;

use comfy_table::Cell;
use reqwest::Method;
use serde_json::Value;

use super::{print_json, server_client, OK};
use crate::output::{emit, new_table};

/// Arguments of `toolexec stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The server to ask.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "TOOLEXEC_SERVER")]
    pub server: String,
    /// Machine output: the server's statistics document.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub async fn run(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let answer = server_client::ask(&args.server, Method::GET, &["v1", "stats"]).await?;
    if !answer.status.is_success() {
        anyhow::bail!("{}", answer.error_message());
    }
    let body = answer.body;
    if args.json {
        print_json(&body)?;
        return Ok(ExitCode::from(OK));
    }
    let mut table = new_table(&[
        "tool",
        "calls",
        "success rate",
        "retries",
        "avg ms",
        "p50 ms",
        "p95 ms",
        "p99 ms",
    ]);
    let mut add = |name: &str, s: &Value| {
        let f = |k: &str| s[k].as_f64().unwrap_or(0.0);
        table.add_row(vec![
            Cell::new(name),
            Cell::new(s["total"].as_u64().unwrap_or(0)),
            Cell::new(format!("{:.1}%", f("success_rate") * 100.0)),
            Cell::new(s["retries"].as_u64().unwrap_or(0)),
            Cell::new(format!("{:.1}", f("avg_ms"))),
            Cell::new(format!("{:.1}", f("p50_ms"))),
            Cell::new(format!("{:.1}", f("p95_ms"))),
            Cell::new(format!("{:.1}", f("p99_ms"))),
        ]);
    };
    if let Some(tools) = body["per_tool"].as_object() {
        for (name, s) in tools
            .iter()
            .filter(|(_, s)| s["total"].as_u64().unwrap_or(0) > 0)
        {
            add(name, s);
        }
    }
    add("(all)", &body["overall"]);
    emit(table);
    emit(format!(
        "{} attempts running of {} allowed; {} calls in flight",
        body["running_attempts"],
        body["max_concurrency"],
        body["in_flight"].as_array().map_or(0, Vec::len)
    ));
    Ok(ExitCode::from(OK))
}
