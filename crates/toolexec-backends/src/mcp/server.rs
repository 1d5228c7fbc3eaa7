//! [`McpServer`]: the tools imported from one MCP server.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::Tool as RemoteTool;
use serde_json::Value;
use toolexec::{PolicyError, Tool, ToolAnnotations, ToolSpec};

use super::config::{Endpoint, McpConfig};
use super::progress_router::ProgressRouter;
use super::session::{open_session, Connection, Session};
use super::McpTool;

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
        let progress = ProgressRouter::default();
        let opening = open(config, name, progress.clone());
        let (session, remote_tools) =
            tokio::time::timeout(limit, opening).await.map_err(|_| {
                PolicyError::new(
                    key,
                    format!(
                        "MCP server `{name}` did not answer initialize and tools/list within {} ms",
                        limit.as_millis()
                    ),
                )
            })??;
        let connection = Arc::new(Connection::new(name, config, session, progress));
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
        self.connection.pid()
    }
}

/// Opens a session and lists the server's tools.
async fn open(
    config: &McpConfig,
    name: &str,
    progress: ProgressRouter,
) -> Result<(Session, Vec<RemoteTool>), PolicyError> {
    let session = open_session(config, name, progress).await?;
    let key = match config.endpoint()? {
        Endpoint::Stdio(_) => "command",
        Endpoint::Http(_) => "url",
    };
    let tools = session.peer().list_all_tools().await.map_err(|e| {
        PolicyError::new(key, format!("MCP server `{name}` failed tools/list: {e}"))
    })?;
    Ok((session, tools))
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
