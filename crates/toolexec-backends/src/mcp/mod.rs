//! The tools of MCP servers, through the rmcp client: servers started as child
//! processes (stdio) or reached over streamable HTTP.
//!
//! Connecting sends `initialize` and `tools/list`, and imports each tool with its
//! name, description, input schema and annotations. MCP's annotation defaults apply
//! when a hint is absent (not read-only, not idempotent, destructive), so an
//! un-annotated MCP tool counts as mutating and is not retried after an
//! outcome-unknown failure unless the call carries an idempotency key.
//!
//! Each attempt is one `tools/call`. Its results and failures map onto
//! [`ToolError`](toolexec::ToolError):
//!
//! | answer | result or error | retried |
//! | --- | --- | --- |
//! | a result | `structuredContent`, else the text content parsed as JSON, else `{"text": ...}`, else `{"content": [...]}` | |
//! | a result with `isError: true` | `Failed` with the text content as message | no |
//! | JSON-RPC error -32602 (invalid params) | `InvalidInput` | no |
//! | JSON-RPC error -32601, -32002 (unknown tool or resource) | `NotFound` | no |
//! | another JSON-RPC error | `Failed` with `error_type` `MCP error CODE` | no |
//! | no progress for `idle_timeout_ms`, deadline, cancellation | `OutcomeUnknown`, after `notifications/cancelled` is sent | idempotent tools only |
//! | connection closed before the request went out | `Transient` | yes |
//! | server gone and not reachable again | `Transient` | yes |
//! | connection closed while waiting | `OutcomeUnknown` | idempotent tools only |
//!
//! When a server has gone away (a stdio server that exited), the next call starts it
//! again (or reopens the HTTP session) before sending, so a retry can succeed.
//!
//! Every progress notification for the request restarts the idle timeout (the
//! backend's own `idle_timeout_ms`, and the engine's idle timeout of the call, if
//! any) and is reported to the engine as the attempt's progress (a `progress`
//! event); the attempt deadline still bounds the call. When the engine gives up on an attempt (its timeout
//! or a cancellation drops the attempt), `notifications/cancelled` is sent for the
//! request, so a server that honours it stops the work.

mod cancel;
mod config;
mod progress_router;
mod result;
mod server;
mod session;
mod tool;

pub use config::McpConfig;
pub use server::McpServer;
pub use tool::McpTool;
