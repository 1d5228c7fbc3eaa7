//! [`ServerError`]: why the server could not be built or started.

use std::net::SocketAddr;

use crate::token::TOKEN_ENV;

/// Why the server could not be built or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The bind address is not loopback and no token is set.
    #[error(
        "refusing to listen on {addr} without a bearer token: set {TOKEN_ENV} or bind to a \
         loopback address such as 127.0.0.1"
    )]
    TokenRequired {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// A limit that cannot work.
    #[error("invalid `{key}`: {reason}")]
    InvalidConfig {
        /// The setting's name.
        key: &'static str,
        /// Why it cannot work.
        reason: String,
    },
    /// [`crate::AppStateBuilder::build`] was called outside a Tokio runtime.
    #[error("the server state must be built inside a Tokio runtime")]
    NoRuntime,
    /// The socket could not be bound or served.
    #[error("{action} {addr}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

impl ServerError {
    /// Whether trying again later may succeed (only socket errors, such as an address
    /// in use).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Io { .. })
    }
}
