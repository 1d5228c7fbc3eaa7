//! `serve_stdio` in a real process: this test binary runs itself as the server (with
//! `TOOLEXEC_MCP_STDIO_SERVER` set) and speaks raw JSON-RPC lines to it, checking that
//! every line on stdout is a protocol message and that the server exits 0 when stdin
//! closes. It has its own `main` because libtest would print to stdout.

mod common;

use std::process::Stdio;

use anyhow::{ensure, Context};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout};

const SERVER_MODE: &str = "TOOLEXEC_MCP_STDIO_SERVER";

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if std::env::var_os(SERVER_MODE).is_some() {
        runtime.block_on(toolexec_mcp::serve_stdio(common::executor()))?;
        return Ok(());
    }
    runtime.block_on(common::bounded(
        stdout_carries_only_the_protocol_and_the_server_exits_when_stdin_closes(),
    ))?;
    eprintln!(
        "test stdout_carries_only_the_protocol_and_the_server_exits_when_stdin_closes ... ok"
    );
    Ok(())
}

async fn stdout_carries_only_the_protocol_and_the_server_exits_when_stdin_closes(
) -> anyhow::Result<()> {
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .env(SERVER_MODE, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?).lines();

    let init = exchange(
        &mut stdin,
        &mut stdout,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw-test", "version": "0"}
        }}),
    )
    .await?;
    ensure!(init["result"]["serverInfo"]["name"] == "toolexec", "{init}");
    ensure!(
        init["result"]["capabilities"]["tools"].is_object(),
        "{init}"
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await?;

    let list = exchange(
        &mut stdin,
        &mut stdout,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    )
    .await?;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .context("tools")?
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    ensure!(names == ["delete", "flaky", "lookup", "sim"], "{list}");

    let call = exchange(
        &mut stdin,
        &mut stdout,
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
               "params": {"name": "sim", "arguments": {"latency_ms": 1}}}),
    )
    .await?;
    ensure!(call["result"]["isError"] == false, "{call}");
    ensure!(call["result"]["structuredContent"]["ok"] == true, "{call}");
    ensure!(
        call["result"]["_meta"]["toolexec/call"]["call_id"] == "mcp-3",
        "{call}"
    );

    drop(stdin);
    let status = child.wait().await?;
    ensure!(status.success(), "the server exited with {status}");
    ensure!(
        stdout.next_line().await?.is_none(),
        "nothing after the session"
    );
    Ok(())
}

async fn send(stdin: &mut ChildStdin, message: Value) -> anyhow::Result<()> {
    stdin.write_all(format!("{message}\n").as_bytes()).await?;
    stdin.flush().await?;
    Ok(())
}

/// Sends a request and reads the next line, which must be its JSON-RPC response.
async fn exchange(
    stdin: &mut ChildStdin,
    stdout: &mut Lines<BufReader<ChildStdout>>,
    request: Value,
) -> anyhow::Result<Value> {
    send(stdin, request.clone()).await?;
    let line = stdout
        .next_line()
        .await?
        .context("the server closed stdout")?;
    let response: Value = serde_json::from_str(&line)
        .with_context(|| format!("stdout carried a line that is not JSON: {line:?}"))?;
    ensure!(response["jsonrpc"] == "2.0", "not JSON-RPC: {line}");
    ensure!(response["id"] == request["id"], "not the response: {line}");
    Ok(response)
}
