//! Serving one client over a byte stream: stdin/stdout, or any reader and writer.

use rmcp::ServiceExt;
use tokio::io::{AsyncRead, AsyncWrite};
use toolexec::Executor;

use crate::{McpServeError, McpServer};

/// Serves `executor`'s tools to one client on stdin and stdout (newline-delimited
/// JSON-RPC), until the client closes stdin; see [`serve_io`] for calls still
/// running then.
///
/// Stdout is the protocol channel: nothing else is written to it. rmcp logs through
/// `tracing`; install a subscriber that writes to stderr to see its logs.
pub async fn serve_stdio(executor: Executor) -> Result<(), McpServeError> {
    serve_io(executor, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves `executor`'s tools to one client that writes requests to `reader` and
/// reads responses from `writer`, until the client closes its end.
///
/// Calls still running when the client closes its end get 5 s (rmcp's drain, for a
/// client that closes its input and still reads the output) to finish and write
/// their responses; then they are cancelled, and this returns.
pub async fn serve_io<R, W>(executor: Executor, reader: R, writer: W) -> Result<(), McpServeError>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let service = McpServer::new(executor)
        .serve((reader, writer))
        .await
        .map_err(|e| McpServeError::Initialize(Box::new(e)))?;
    service.waiting().await.map_err(McpServeError::Task)?;
    Ok(())
}
