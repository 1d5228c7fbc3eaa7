//! `toolexec mcp-serve [--http ADDR]`: the registered tools as an MCP server, every
//! `tools/call` running through the executor with its policies.

use std::net::SocketAddr;
use std::process::ExitCode;

use super::{Common, OK};
use crate::assemble::{self, Overrides};

/// Arguments of `toolexec mcp-serve`.
#[derive(Debug, clap::Args)]
pub struct McpServeArgs {
    /// Serve streamable HTTP at `http://ADDR/mcp` instead of stdio.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// The configuration file and database.
    #[command(flatten)]
    pub common: Common,
}

/// Runs the command: over stdio until the client disconnects, over HTTP until Ctrl-C.
/// Nothing but protocol messages goes to stdout.
pub async fn run(args: McpServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.common.load_config()?;
    let store = assemble::open_store(&args.common.db_path())?;
    let executor = assemble::executor(&config, store, Overrides::default()).await?;
    match args.http {
        None => toolexec_mcp::serve_stdio(executor).await?,
        Some(addr) => {
            if !addr.ip().is_loopback() {
                anyhow::bail!("--http {addr}: the MCP server has no authentication, so it binds only to a loopback address (127.0.0.1 or ::1)");
            }
            let listener = tokio::net::TcpListener::bind(addr).await?;
            eprintln!(
                "toolexec: MCP server on http://{}/mcp",
                listener.local_addr()?
            );
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            toolexec_mcp::serve_http(listener, executor, shutdown).await?;
        }
    }
    Ok(ExitCode::from(OK))
}
