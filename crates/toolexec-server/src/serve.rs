//! Starting the server on a socket, with the rule that a server reachable from other
//! hosts must require a token.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::app::app;
use crate::server_error::ServerError;
use crate::state::AppState;

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

/// Like [`serve`], stopping gracefully when `shutdown` completes: no new connections,
/// event streams end, requests in progress finish.
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
    let closing = state.clone();
    let shutdown = async move {
        shutdown.await;
        closing.close_streams();
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServerError::Io {
            action: "cannot serve on",
            addr,
            source,
        })
}
