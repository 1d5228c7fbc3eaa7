//! [`McpConfig`]: the `[tools.NAME]` table of an MCP server.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use toolexec::PolicyError;

use super::McpServer;

/// An MCP server whose tools become toolexec tools, as written under `[tools.NAME]`
/// with `backend = "mcp"`: either `command` (and `args`, `env`) for a server started
/// as a child process speaking over stdio, or `url` (and `headers`) for a server
/// reached over streamable HTTP.
///
/// ```toml
/// [tools.files]
/// backend = "mcp"
/// command = "mcp-server-filesystem"
/// args = ["/srv/data"]
/// tools = ["read_file", "list_directory"]   # optional: import only these
///
/// [tools.search]
/// backend = "mcp"
/// url = "https://search.example/mcp"
/// headers = { Authorization = "Bearer ${SEARCH_TOKEN}" }
/// idle_timeout_ms = 5000
/// ```
///
/// Values in `env` and `headers` may reference environment variables as `${NAME}`;
/// they are resolved when connecting and never logged or shown.
///
/// # Default
///
/// No arguments, no extra environment or headers, every tool of the server under its
/// own name (no `prefix`), `idle_timeout_ms = 60000` (0 turns the idle timeout off,
/// leaving only the engine's attempt timeout), `connect_timeout_ms = 10000`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpConfig {
    /// The program of a stdio server: a path, or a name looked up on `PATH`.
    #[serde(default)]
    pub command: Option<String>,
    /// Its arguments, passed as they are (no shell).
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment variables of a stdio server; values may contain `${ENV_VAR}`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The endpoint of a streamable HTTP server, `http://` or `https://`.
    #[serde(default)]
    pub url: Option<String>,
    /// Extra headers for a streamable HTTP server; values may contain `${ENV_VAR}`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The server's tools to import; all of them when absent.
    #[serde(default)]
    pub tools: Option<Vec<String>>,
    /// Put before each imported tool's name, such as `"files_"`.
    #[serde(default)]
    pub prefix: Option<String>,
    /// How long a call may go without a result or a progress notification.
    #[serde(default = "default_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// How long starting the server, `initialize` and `tools/list` may take together.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
}

fn default_idle_timeout_ms() -> u64 {
    60_000
}

fn default_connect_timeout_ms() -> u64 {
    10_000
}

/// Where a validated configuration says the server is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Endpoint<'a> {
    Stdio(&'a str),
    Http(&'a str),
}

impl McpConfig {
    /// A stdio server started as `command` with `args`, with the defaults.
    pub fn stdio<I, S>(command: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            command: Some(command.into()),
            args: args.into_iter().map(Into::into).collect(),
            ..Self::http_or_empty(None)
        }
    }

    /// A streamable HTTP server at `url`, with the defaults.
    pub fn http(url: impl Into<String>) -> Self {
        Self::http_or_empty(Some(url.into()))
    }

    fn http_or_empty(url: Option<String>) -> Self {
        Self {
            command: None,
            args: Vec::new(),
            env: BTreeMap::new(),
            url,
            headers: BTreeMap::new(),
            tools: None,
            prefix: None,
            idle_timeout_ms: default_idle_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
        }
    }

    /// Checks the keys that need no server, naming the first bad one.
    pub fn validate(&self) -> Result<(), PolicyError> {
        self.endpoint().map(|_| ())?;
        if self.connect_timeout_ms == 0 {
            return Err(PolicyError::new(
                "connect_timeout_ms",
                "must be greater than 0",
            ));
        }
        if let Some(tools) = &self.tools {
            if tools.is_empty() {
                return Err(PolicyError::new(
                    "tools",
                    "is empty: list the tools to import, or leave it out to import all",
                ));
            }
        }
        Ok(())
    }

    pub(super) fn endpoint(&self) -> Result<Endpoint<'_>, PolicyError> {
        match (&self.command, &self.url) {
            (Some(_), Some(_)) => Err(PolicyError::new(
                "url",
                "set either `command` (a stdio server) or `url` (streamable HTTP), not both",
            )),
            (None, None) => Err(PolicyError::new(
                "command",
                "set `command` (a stdio server) or `url` (streamable HTTP)",
            )),
            (Some(command), None) if command.trim().is_empty() => {
                Err(PolicyError::new("command", "must not be empty"))
            }
            (Some(command), None) => {
                if !self.headers.is_empty() {
                    return Err(PolicyError::new(
                        "headers",
                        "only a `url` server takes headers",
                    ));
                }
                Ok(Endpoint::Stdio(command))
            }
            (None, Some(url)) => {
                let valid = url.starts_with("http://") || url.starts_with("https://");
                if !valid {
                    return Err(PolicyError::new(
                        "url",
                        format!("`{url}` must be an http:// or https:// URL"),
                    ));
                }
                if !self.args.is_empty() || !self.env.is_empty() {
                    let key = if self.args.is_empty() { "env" } else { "args" };
                    return Err(PolicyError::new(
                        key,
                        "only a `command` server takes args and env",
                    ));
                }
                Ok(Endpoint::Http(url))
            }
        }
    }

    /// The idle timeout, if on.
    pub(super) fn idle_timeout(&self) -> Option<Duration> {
        (self.idle_timeout_ms > 0).then(|| Duration::from_millis(self.idle_timeout_ms))
    }

    /// Validates the configuration, starts or reaches the server and imports its
    /// tools; `name` is the `[tools.NAME]` key, used in messages.
    pub async fn connect(&self, name: &str) -> Result<McpServer, PolicyError> {
        McpServer::connect(self, name).await
    }
}
