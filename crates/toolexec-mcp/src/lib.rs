//! toolexec-mcp: an executor's tools as an MCP server.
//!
//! Every registered tool is offered over the Model Context Protocol (rmcp) with its
//! name, description, input schema and annotations, and every `tools/call` runs
//! through the [`Executor`](toolexec::Executor), so its timeouts, retries, fallbacks
//! and circuit breakers apply and the call lands in its history and statistics.
//!
//! ```
//! use std::sync::Arc;
//!
//! use rmcp::model::CallToolRequestParams;
//! use rmcp::ServiceExt;
//! use serde_json::json;
//! use toolexec::{Executor, SimConfig, SimTool};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! let executor = Executor::builder()
//!     .tool(Arc::new(SimTool::new("sim", SimConfig::default())))
//!     .build()?;
//!
//! // The server on one end of an in-memory pipe (`serve_stdio` uses stdin/stdout).
//! let (server_end, client_end) = tokio::io::duplex(64 * 1024);
//! let (reader, writer) = tokio::io::split(server_end);
//! tokio::spawn(toolexec_mcp::serve_io(executor.clone(), reader, writer));
//!
//! // Any MCP client on the other end.
//! let client = ().serve(client_end).await?;
//! let tools = client.list_all_tools().await?;
//! assert_eq!(tools[0].name, "sim");
//!
//! let arguments = json!({"latency_ms": 1}).as_object().cloned();
//! let mut call = CallToolRequestParams::new("sim");
//! call.arguments = arguments;
//! let result = client.call_tool(call).await?;
//! assert_eq!(result.is_error, Some(false));
//! assert_eq!(executor.stats().overall.total, 1);
//! client.cancel().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Serve with [`serve_stdio`] (one client on stdin/stdout), [`serve_http`]
//! (streamable HTTP at `/mcp`) or [`router`] inside your own axum app; or hand an
//! [`McpServer`] to any rmcp transport. [`McpServer`] documents how envelopes become
//! results and errors.

#![forbid(unsafe_code)]

mod error;
mod http;
mod io;
mod progress;
mod result;
mod server;
mod spec;

pub use error::McpServeError;
pub use http::{router, router_with_config, serve_http};
pub use io::{serve_io, serve_stdio};
pub use result::CALL_META_KEY;
pub use server::McpServer;
