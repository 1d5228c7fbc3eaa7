//! Starting the server on a socket, with the rule that a server reachable from other
//! hosts must require a token.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::app::app;
use crate::drain::drain;
use crate::server_error::ServerError;
use crate::state::AppState;

/// How long a stop waits, once the work is drained, for open requests to be answered
/// and their connections to close.
const CONNECTIONS_WAIT: Duration = Duration::from_secs(5);

/// Checks that a server on `addr` with this state would be safe: a non-loopback
/// address needs a token.
pub fn check_bind(addr: SocketAddr, state: &AppState) -> Result<(), ServerError> {
    if addr.ip().is_loopback() || state.api_token().is_some() {
        Ok(())
    } else {
        Err(ServerError::TokenRequired { addr })
    }
}

/// Serves [`app`] on `addr` until the process ends or the socket fails.
///
/// Refuses to start ([`ServerError::TokenRequired`]) when `addr` is not loopback and
/// the state has no token.
pub async fn serve(addr: SocketAddr, state: AppState) -> Result<(), ServerError> {
    serve_with_shutdown(addr, state, std::future::pending()).await
}

/// Like [`serve`], stopping gracefully when `shutdown` completes (see
/// [`serve_listener`]).
pub async fn serve_with_shutdown(
    addr: SocketAddr,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    check_bind(addr, &state)?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Io {
            action: "cannot bind",
            addr,
            source,
        })?;
    serve_listener(listener, state, shutdown).await
}

/// Serves [`app`] on a listener already bound (port 0 in tests, a socket handed over
/// by the binary), with the same safety check as [`serve`].
///
/// The socket defends itself with the state's [`crate::Limits`]: at most
/// `max_connections` connections are served at once (more wait in the listener's
/// backlog until one closes); a client must send a request's headers within
/// `header_read_timeout` of the server starting to wait for them, which also closes a
/// kept-alive connection idle for that long; a body must arrive within
/// `body_read_timeout` (see [`crate::ApiJson`]).
///
/// When `shutdown` completes, the server stops gracefully:
///
/// 1. It stops accepting connections at once (the listener is closed), and keeps
///    serving the open ones, so that `wait=true` requests are answered and clients can
///    still poll their batches; new work is refused with 503 `shutting_down`.
/// 2. [`crate::drain`]: the running batches get up to
///    [`crate::Limits::shutdown_grace`] to finish; the rest are cancelled, their calls
///    ending `cancelled`; event streams end.
/// 3. Open connections are closed once their request in progress is answered, waiting
///    at most `CONNECTIONS_WAIT` (5 s); then it returns `Ok`.
pub async fn serve_listener(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let addr = listener.local_addr().map_err(|source| ServerError::Io {
        action: "cannot read the address of",
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })?;
    check_bind(addr, &state)?;
    tracing::info!(%addr, auth = state.api_token().is_some(), "toolexec API listening");
    let limits = *state.limits();
    let router = app(state.clone());
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let shutdown = shutdown.fuse();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    drain(&state).await;
    if tokio::time::timeout(CONNECTIONS_WAIT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("stopping: some connections were still open after 5 s; closing them");
    }
    Ok(())
}

/// Waits after a failed `accept`: at once for errors of one connection, a second for
/// others (such as too many open files), so that the loop does not spin.
async fn accept_failed(error: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accept failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
