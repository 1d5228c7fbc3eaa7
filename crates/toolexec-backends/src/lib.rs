//! Real tool backends for the toolexec engine: AWS Lambda functions, HTTP endpoints,
//! local processes and the tools of MCP servers, one cargo feature each (`lambda`,
//! `http`, `process`, `mcp`; all on by default).
//!
//! Each backend is a [`Tool`](toolexec::Tool) whose failures map onto
//! [`ToolError`](toolexec::ToolError), so the engine's retry, timeout, circuit and
//! fallback policies govern it, and each has a plain-data configuration struct that
//! deserializes from a `[tools.NAME]` table of `toolexec.toml` (docs/CONTRACTS.md, the
//! configuration file) and whose `build` validates it, naming the bad key in a
//! [`PolicyError`](toolexec::PolicyError).
//!
//! ```
//! # #[cfg(feature = "process")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serde_json::json;
//! use toolexec::{Executor, ToolCall};
//! use toolexec_backends::ProcessConfig;
//!
//! // `cat` answers with its input: JSON in on stdin, the same JSON out on stdout.
//! let echo = ProcessConfig::new("cat", Vec::<String>::new()).build("echo")?;
//! let executor = Executor::builder().tool(echo).build()?;
//!
//! let envelope = executor.execute(ToolCall::new("echo", json!({"sku": "A-1"}))).await;
//! assert!(envelope.success);
//! assert_eq!(envelope.result, Some(json!({"sku": "A-1"})));
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "process"))]
//! # fn main() {}
//! ```
//!
//! [`BackendConfig`] reads any backend's table by its `backend` key; the engine's own
//! per-tool policy keys (`max_retries`, `attempt_timeout_ms`, ...) belong to the
//! configuration loader and must be taken out of the table before it is handed here,
//! since every backend table rejects keys it does not know.

#![forbid(unsafe_code)]
// Shared helpers serve some backends only; with a subset of features some go unused.
#![cfg_attr(
    not(all(
        feature = "lambda",
        feature = "http",
        feature = "process",
        feature = "mcp"
    )),
    allow(dead_code)
)]

mod backend_config;
mod deadline;
mod env;
mod spec;
mod text;

#[cfg(any(feature = "process", feature = "mcp"))]
mod group;

#[cfg(feature = "http")]
mod http;
#[cfg(feature = "lambda")]
mod lambda;
#[cfg(feature = "mcp")]
mod mcp;
#[cfg(feature = "process")]
mod process;

pub use backend_config::BackendConfig;
pub use env::resolve_env;

#[cfg(feature = "http")]
pub use http::{HttpConfig, HttpTool, MAX_RETRY_AFTER, REDACTED};
#[cfg(feature = "lambda")]
pub use lambda::{LambdaConfig, LambdaProtocol, LambdaTool, LAMBDA_SYNC_PAYLOAD_LIMIT};
#[cfg(feature = "mcp")]
pub use mcp::{McpConfig, McpServer, McpTool};
#[cfg(feature = "process")]
pub use process::{ProcessConfig, ProcessTool};
