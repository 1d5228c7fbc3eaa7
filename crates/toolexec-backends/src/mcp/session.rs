//! [`Connection`]: the session with one MCP server, reopened when the server is gone.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use rmcp::service::{Peer, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use tokio::sync::Mutex;
use toolexec::{PolicyError, ToolError};

use super::config::{Endpoint, McpConfig};
use super::progress_router::ProgressRouter;
use crate::env::resolve_env;
use crate::group::ProcessGroup;

/// One initialized session: the rmcp service and, for a stdio server, its process
/// group, killed when the session is dropped.
pub(super) struct Session {
    service: RunningService<RoleClient, ProgressRouter>,
    pid: Option<u32>,
    _group: Option<ProcessGroup>,
}

impl Session {
    pub(super) fn peer(&self) -> &Peer<RoleClient> {
        self.service.peer()
    }

    fn is_gone(&self) -> bool {
        self.service.is_closed() || self.service.peer().is_transport_closed()
    }
}

/// The session the tools of one server share. When the server has gone away (a stdio
/// server that exited, an HTTP session that closed), the next call opens a new
/// session first, so the engine's next attempt can succeed. Dropping the last tool
/// closes the session.
pub(super) struct Connection {
    pub(super) name: String,
    config: McpConfig,
    session: Mutex<Session>,
    pid: AtomicU32,
    /// Where the server's progress notifications go, whichever session brings them.
    pub(super) progress: ProgressRouter,
}

impl Connection {
    pub(super) fn new(
        name: &str,
        config: &McpConfig,
        session: Session,
        progress: ProgressRouter,
    ) -> Self {
        Self {
            progress,
            name: name.to_owned(),
            config: config.clone(),
            pid: AtomicU32::new(session.pid.unwrap_or_default()),
            session: Mutex::new(session),
        }
    }

    /// The process id of the current stdio server.
    pub(super) fn pid(&self) -> Option<u32> {
        Some(self.pid.load(Ordering::Relaxed)).filter(|&p| p != 0)
    }

    /// The peer of a live session, reopening the session if the server is gone.
    pub(super) async fn peer(&self) -> Result<Peer<RoleClient>, ToolError> {
        let mut session = self.session.lock().await;
        if session.is_gone() {
            let limit = Duration::from_millis(self.config.connect_timeout_ms);
            let opening = open_session(&self.config, &self.name, self.progress.clone());
            let fresh = match tokio::time::timeout(limit, opening).await {
                Ok(Ok(fresh)) => fresh,
                Ok(Err(e)) => return Err(reconnect_failed(&self.name, &e.reason)),
                Err(_) => return Err(reconnect_failed(&self.name, "no answer in time")),
            };
            self.pid
                .store(fresh.pid.unwrap_or_default(), Ordering::Relaxed);
            *session = fresh;
        }
        Ok(session.peer().clone())
    }
}

fn reconnect_failed(name: &str, reason: &str) -> ToolError {
    ToolError::Transient {
        message: format!("MCP server `{name}` is gone and could not be reached again: {reason}"),
    }
}

/// Starts (stdio) or reaches (HTTP) the server and initializes a session.
/// `progress` hears the session's progress notifications.
pub(super) async fn open_session(
    config: &McpConfig,
    name: &str,
    progress: ProgressRouter,
) -> Result<Session, PolicyError> {
    match config.endpoint()? {
        Endpoint::Stdio(command) => {
            let mut child = tokio::process::Command::new(command);
            child.args(&config.args).process_group(0).kill_on_drop(true);
            for (var, template) in &config.env {
                child.env(var, resolve_env(template, &format!("env.{var}"))?);
            }
            let transport = TokioChildProcess::new(child).map_err(|e| {
                PolicyError::new("command", format!("cannot start `{command}`: {e}"))
            })?;
            let pid = transport.id();
            let group = ProcessGroup::new(pid);
            let service = progress.serve(transport).await.map_err(|e| {
                PolicyError::new(
                    "command",
                    format!("MCP server `{name}` failed to initialize: {e}"),
                )
            })?;
            Ok(Session {
                service,
                pid,
                _group: Some(group),
            })
        }
        Endpoint::Http(url) => {
            let mut headers = std::collections::HashMap::new();
            for (header, template) in &config.headers {
                let key = format!("headers.{header}");
                let header_name = HeaderName::from_bytes(header.as_bytes())
                    .map_err(|_| PolicyError::new(&key, "is not a valid HTTP header name"))?;
                let mut value =
                    HeaderValue::from_str(&resolve_env(template, &key)?).map_err(|_| {
                        PolicyError::new(&key, "has characters not allowed in a header")
                    })?;
                value.set_sensitive(true);
                headers.insert(header_name, value);
            }
            let transport = StreamableHttpClientTransport::from_config(
                StreamableHttpClientTransportConfig::with_uri(url).custom_headers(headers),
            );
            let service = progress.serve(transport).await.map_err(|e| {
                PolicyError::new(
                    "url",
                    format!("MCP server `{name}` at {url} failed to initialize: {e}"),
                )
            })?;
            Ok(Session {
                service,
                pid: None,
                _group: None,
            })
        }
    }
}
