//! [`McpServer`]: a running connection to an MCP server and the tools it imported.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use rmcp::model::Tool as RemoteTool;
use rmcp::service::{Peer, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;
use toolexec::{PolicyError, Tool, ToolAnnotations, ToolSpec};

use super::config::{Endpoint, McpConfig};
use super::McpTool;
use crate::env::resolve_env;
use crate::group::ProcessGroup;

/// The live session with one server. Dropping the last tool that uses it closes the
/// session and, for a stdio server, kills the server's whole process group.
pub(super) struct Connection {
    pub(super) name: String,
    service: RunningService<RoleClient, ()>,
    pid: Option<u32>,
    _group: Option<ProcessGroup>,
}

impl Connection {
    pub(super) fn peer(&self) -> &Peer<RoleClient> {
        self.service.peer()
    }
}

/// An MCP server's imported tools, sharing one session.
pub struct McpServer {
    connection: Arc<Connection>,
    tools: Vec<Arc<McpTool>>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("name", &self.connection.name)
            .field(
                "tools",
                &self
                    .tools
                    .iter()
                    .map(|t| &t.spec().name)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl McpServer {
    /// Starts or reaches the server, initializes the session and imports its tools.
    pub async fn connect(config: &McpConfig, name: &str) -> Result<Self, PolicyError> {
        config.validate()?;
        let endpoint = config.endpoint()?;
        let key = match endpoint {
            Endpoint::Stdio(_) => "command",
            Endpoint::Http(_) => "url",
        };
        let limit = Duration::from_millis(config.connect_timeout_ms);
        let (connection, remote_tools) = tokio::time::timeout(limit, open(config, name, &endpoint))
            .await
            .map_err(|_| {
                PolicyError::new(
                    key,
                    format!(
                        "MCP server `{name}` did not answer initialize and tools/list within {} ms",
                        limit.as_millis()
                    ),
                )
            })??;
        let connection = Arc::new(connection);
        let tools = select(config, remote_tools)?
            .into_iter()
            .map(|remote| {
                let spec = import_spec(config.prefix.as_deref().unwrap_or_default(), &remote);
                Arc::new(McpTool::new(
                    spec,
                    remote.name.to_string(),
                    connection.clone(),
                    config.idle_timeout(),
                ))
            })
            .collect();
        Ok(Self { connection, tools })
    }

    /// The imported tools, ready to register with an executor.
    pub fn tools(&self) -> Vec<Arc<dyn Tool>> {
        self.tools
            .iter()
            .map(|t| t.clone() as Arc<dyn Tool>)
            .collect()
    }

    /// The process id of a stdio server.
    pub fn process_id(&self) -> Option<u32> {
        self.connection.pid
    }
}

async fn open(
    config: &McpConfig,
    name: &str,
    endpoint: &Endpoint<'_>,
) -> Result<(Connection, Vec<RemoteTool>), PolicyError> {
    let (service, pid, group, key) = match *endpoint {
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
            let service = ().serve(transport).await.map_err(|e| {
                PolicyError::new(
                    "command",
                    format!("MCP server `{name}` failed to initialize: {e}"),
                )
            })?;
            (service, pid, Some(group), "command")
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
            let service = ().serve(transport).await.map_err(|e| {
                PolicyError::new(
                    "url",
                    format!("MCP server `{name}` at {url} failed to initialize: {e}"),
                )
            })?;
            (service, None, None, "url")
        }
    };
    let tools = service.peer().list_all_tools().await.map_err(|e| {
        PolicyError::new(key, format!("MCP server `{name}` failed tools/list: {e}"))
    })?;
    let connection = Connection {
        name: name.to_owned(),
        service,
        pid,
        _group: group,
    };
    Ok((connection, tools))
}

/// The tools named in `tools`, or all; a named tool the server lacks is an error.
fn select(config: &McpConfig, remote: Vec<RemoteTool>) -> Result<Vec<RemoteTool>, PolicyError> {
    let Some(wanted) = &config.tools else {
        return Ok(remote);
    };
    if let Some(missing) = wanted
        .iter()
        .find(|w| !remote.iter().any(|t| t.name == w.as_str()))
    {
        let available: Vec<&str> = remote.iter().map(|t| t.name.as_ref()).collect();
        return Err(PolicyError::new(
            "tools",
            format!(
                "the server has no tool `{missing}`; it has {}",
                available.join(", ")
            ),
        ));
    }
    Ok(remote
        .into_iter()
        .filter(|t| wanted.iter().any(|w| t.name == w.as_str()))
        .collect())
}

/// The spec of an imported tool, with MCP's defaults for absent hints.
pub(super) fn import_spec(prefix: &str, remote: &RemoteTool) -> ToolSpec {
    let description = remote
        .description
        .as_deref()
        .map(str::to_owned)
        .or_else(|| remote.title.clone())
        .unwrap_or_else(|| format!("MCP tool {}", remote.name));
    let hints = remote.annotations.as_ref();
    let read_only = hints.and_then(|a| a.read_only_hint).unwrap_or(false);
    let annotations = ToolAnnotations {
        read_only,
        idempotent: read_only || hints.and_then(|a| a.idempotent_hint).unwrap_or(false),
        destructive: !read_only && hints.and_then(|a| a.destructive_hint).unwrap_or(true),
    };
    ToolSpec::new(format!("{prefix}{}", remote.name), description)
        .with_input_schema(Value::Object((*remote.input_schema).clone()))
        .with_annotations(annotations)
}
