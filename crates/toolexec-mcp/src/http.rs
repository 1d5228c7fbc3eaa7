//! Serving streamable HTTP at `/mcp`.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use toolexec::Executor;

use crate::{McpServeError, McpServer};

/// A router serving `executor`'s tools as streamable HTTP at `/mcp`, with rmcp's
/// default configuration: sessions, and only loopback `Host` headers accepted
/// (DNS-rebinding protection).
pub fn router(executor: Executor) -> Router {
    router_with_config(executor, StreamableHttpServerConfig::default())
}

/// [`router`] with an rmcp configuration: allowed hosts and origins, keep-alive,
/// the cancellation token that ends every session, and the like.
///
/// Each session gets its own [`McpServer`] whose calls are named
/// `mcp-s{session number}-{request id}`, so calls of different sessions never share
/// an id.
pub fn router_with_config(executor: Executor, config: StreamableHttpServerConfig) -> Router {
    let sessions = AtomicU64::new(0);
    let service = StreamableHttpService::new(
        move || {
            let session = sessions.fetch_add(1, Ordering::Relaxed) + 1;
            Ok(McpServer::new(executor.clone()).with_call_id_prefix(format!("mcp-s{session}")))
        },
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new().nest_service("/mcp", service)
}

/// Serves `executor`'s tools as streamable HTTP at `/mcp` on `listener` until
/// `shutdown` completes; then ends every session (their in-flight calls are
/// cancelled and their event streams closed) and returns once connections are done.
///
/// `Host` headers naming loopback, or the listener's own IP address, are accepted;
/// others are refused with 403 (DNS-rebinding protection). For other hosts, serve
/// [`router_with_config`] yourself. There is no authentication: bind to loopback or
/// put the server behind something that authenticates.
pub async fn serve_http(
    listener: TcpListener,
    executor: Executor,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), McpServeError> {
    let addr = listener.local_addr().ok();
    let stop = CancellationToken::new();
    let mut config = StreamableHttpServerConfig::default().with_cancellation_token(stop.clone());
    if let Some(ip) = addr.map(|a| a.ip()) {
        if !ip.is_loopback() && !ip.is_unspecified() {
            config.allowed_hosts.push(ip.to_string());
        }
    }
    let app = router_with_config(executor, config);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            stop.cancel();
        })
        .await
        .map_err(|source| McpServeError::Http { addr, source })
}
