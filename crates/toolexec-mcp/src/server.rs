//! [`McpServer`]: the MCP `ServerHandler` over an executor.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, RequestId, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use toolexec::{Executor, ToolCall};

use crate::progress::Progress;
use crate::result::call_result;
use crate::spec::mcp_tool;

/// Serves an [`Executor`]'s registered tools over MCP: `tools/list` offers every tool,
/// `tools/call` runs the call through the executor, so its timeouts, retries,
/// fallbacks and circuit breakers apply.
///
/// The handler is written by hand rather than with rmcp's `#[tool]` macros because
/// the tools are whatever the executor holds, known only at run time.
///
/// # `tools/call`
///
/// - The call's id is `{prefix}-{JSON-RPC request id}` (prefix `mcp` unless set with
///   [`McpServer::with_call_id_prefix`]), so the call can be found in the executor's
///   history and live status.
/// - A successful envelope (the tool's answer or a fallback's) is a result with the
///   answer as structured content and as JSON text.
/// - A failed envelope (failed, timeout, cancelled, rejected) is a result with
///   `isError: true`, whose first text block is `"{kind}: {message}"` and whose
///   structured content is the whole envelope: the tool was reached and the model
///   can read why it failed, as the MCP specification asks for execution errors.
/// - Every result carries the call's id, status, attempts, fallback flag and
///   duration in `_meta` under [`CALL_META_KEY`](crate::CALL_META_KEY).
/// - An unknown tool name is a JSON-RPC error `-32602` (invalid params) with the
///   message `unknown tool: NAME`: the MCP specification (2025-06-18, Tools, Error
///   Handling) lists unknown tools among protocol errors, with -32602 in its example,
///   and rmcp's own tool router answers the same; nothing runs and the executor
///   records nothing.
/// - When the request carries a progress token, each attempt started or failed and
///   each retry scheduled is sent as `notifications/progress` with a message.
/// - `notifications/cancelled` for the request cancels the call: the executor ends it
///   `cancelled` (and records it so), and rmcp drops the now unwanted response.
///   When a connection ends (an HTTP session closed or the server shut down; a
///   stdio client hanging up, after rmcp's 5 s drain), its running calls are
///   cancelled the same way.
#[derive(Debug, Clone)]
pub struct McpServer {
    executor: Executor,
    call_id_prefix: Arc<str>,
}

impl McpServer {
    /// A server for `executor`'s tools, naming calls `mcp-{request id}`.
    pub fn new(executor: Executor) -> Self {
        Self {
            executor,
            call_id_prefix: Arc::from("mcp"),
        }
    }

    /// Names calls `{prefix}-{request id}`; give each connection its own prefix when
    /// several share one executor, since each numbers its requests from the start.
    pub fn with_call_id_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.call_id_prefix = Arc::from(prefix.into());
        self
    }

    /// The executor the calls run on.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    fn call_id(&self, request: &RequestId) -> String {
        format!("{}-{request}", self.call_id_prefix)
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("toolexec", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "The tools of a toolexec executor. Every call runs with the executor's \
                 timeouts, retries and fallbacks; a failed call returns isError with \
                 the error kind and message, and the full result envelope as \
                 structured content.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self.executor.tools().iter().map(mcp_tool).collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.executor
            .tools()
            .iter()
            .find(|spec| spec.name == name)
            .map(mcp_tool)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if self.executor.tool_policy(&request.name).is_none() {
            return Err(ErrorData::invalid_params(
                format!("unknown tool: {}", request.name),
                None,
            ));
        }
        let input = Value::Object(request.arguments.unwrap_or_default());
        let call_id = self.call_id(&context.id);
        let call = ToolCall::new(request.name, input).with_id(call_id.clone());
        let cancel = context.ct.child_token();
        let execution = self.executor.execute_cancellable(call, cancel);
        let envelope = match context.meta.get_progress_token() {
            None => execution.await,
            Some(token) => {
                let events = self.executor.subscribe();
                Progress::new(events, call_id, token, context.peer.clone())
                    .around(execution)
                    .await
            }
        };
        Ok(call_result(&envelope).into())
    }
}
