//! A small MCP server for testing MCP clients, built on rmcp.
//!
//! `mcp-fixture-server` serves over stdio; `mcp-fixture-server --http 127.0.0.1:0`
//! serves streamable HTTP at `/mcp` and prints `listening on http://ADDR/mcp` as its
//! first line. With `MCP_FIXTURE_LOG=PATH`, the `slow` tool appends `completed ID` or
//! `cancelled ID` to that file, so a test can see that a cancellation reached it, and
//! `stall` (progress for a few steps, then silence) appends `stalled-cancelled ID`.

mod fixture;

use std::sync::Arc;

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;
use tokio::io::AsyncWriteExt;

use fixture::Fixture;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => serve_stdio().await,
        [flag, addr] if flag == "--http" => serve_http(addr).await,
        _ => anyhow::bail!("usage: mcp-fixture-server [--http ADDR]"),
    }
}

async fn serve_stdio() -> anyhow::Result<()> {
    let service = Fixture::new().serve(rmcp::transport::stdio()).await?;
    service.waiting().await?;
    Ok(())
}

async fn serve_http(addr: &str) -> anyhow::Result<()> {
    let service = StreamableHttpService::new(
        || Ok(Fixture::new()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut stdout = tokio::io::stdout();
    stdout
        .write_all(format!("listening on http://{}/mcp\n", listener.local_addr()?).as_bytes())
        .await?;
    stdout.flush().await?;
    axum::serve(listener, router).await?;
    Ok(())
}
