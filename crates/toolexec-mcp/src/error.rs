//! [`McpServeError`]: why serving stopped.

use std::net::SocketAddr;

use rmcp::service::ServerInitializeError;

/// Why [`serve_stdio`](crate::serve_stdio), [`serve_io`](crate::serve_io) or
/// [`serve_http`](crate::serve_http) stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpServeError {
    /// The client did not complete the MCP handshake: it closed the connection or
    /// sent something other than `initialize`.
    #[error("the MCP client did not complete initialization: {0}")]
    Initialize(#[source] Box<ServerInitializeError>),
    /// The task serving the connection failed (it panicked, or the runtime is
    /// shutting down).
    #[error("the MCP server task failed: {0}")]
    Task(#[source] tokio::task::JoinError),
    /// The HTTP server failed.
    #[error("the MCP HTTP server{} failed: {source}", at(*.addr))]
    Http {
        /// The address it listened on, when known.
        addr: Option<SocketAddr>,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl McpServeError {
    /// Whether serving again may work: true for HTTP server failures, which depend
    /// on the listener; false for a client that broke the handshake (a new client
    /// needs a new connection) and for a failed task.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Http { .. })
    }
}

fn at(addr: Option<SocketAddr>) -> String {
    addr.map(|a| format!(" on {a}")).unwrap_or_default()
}
