//! [`BackendConfig`]: any backend's `[tools.NAME]` table, chosen by its `backend` key.

use std::sync::Arc;

use serde::Deserialize;
use toolexec::{PolicyError, Tool};

/// The table of one configured tool, by its `backend` key.
///
/// ```toml
/// [tools.reorder]
/// backend = "lambda"
/// function_name = "inventory_optimizer"
/// endpoint_url = "http://127.0.0.1:9000"
/// ```
///
/// Each variant's struct documents its keys and defaults; unknown keys are errors.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "backend", rename_all = "lowercase")]
#[non_exhaustive]
pub enum BackendConfig {
    /// `backend = "lambda"`: an AWS Lambda function.
    #[cfg(feature = "lambda")]
    Lambda(crate::LambdaConfig),
    /// `backend = "http"`: a JSON endpoint.
    #[cfg(feature = "http")]
    Http(crate::HttpConfig),
    /// `backend = "process"`: a local program.
    #[cfg(feature = "process")]
    Process(crate::ProcessConfig),
    /// `backend = "mcp"`: the tools of an MCP server.
    #[cfg(feature = "mcp")]
    Mcp(crate::McpConfig),
}

impl BackendConfig {
    /// The `backend` key's value.
    pub fn backend(&self) -> &'static str {
        match self {
            #[cfg(feature = "lambda")]
            Self::Lambda(_) => "lambda",
            #[cfg(feature = "http")]
            Self::Http(_) => "http",
            #[cfg(feature = "process")]
            Self::Process(_) => "process",
            #[cfg(feature = "mcp")]
            Self::Mcp(_) => "mcp",
            #[cfg(not(any(
                feature = "lambda",
                feature = "http",
                feature = "process",
                feature = "mcp"
            )))]
            _ => unreachable!("no backend feature is enabled"),
        }
    }

    /// Validates the table and builds its tools: one for every backend but MCP, whose
    /// server is started (or reached) to import its tools, named `NAME.TOOL`.
    pub async fn build(&self, name: &str) -> Result<Vec<Arc<dyn Tool>>, PolicyError> {
        match self {
            #[cfg(feature = "lambda")]
            Self::Lambda(config) => Ok(vec![config.build(name).await?]),
            #[cfg(feature = "http")]
            Self::Http(config) => Ok(vec![config.build(name)?]),
            #[cfg(feature = "process")]
            Self::Process(config) => Ok(vec![config.build(name)?]),
            #[cfg(feature = "mcp")]
            Self::Mcp(config) => Ok(config.connect(name).await?.tools()),
            #[cfg(not(any(
                feature = "lambda",
                feature = "http",
                feature = "process",
                feature = "mcp"
            )))]
            _ => {
                let _ = name;
                unreachable!("no backend feature is enabled")
            }
        }
    }
}
