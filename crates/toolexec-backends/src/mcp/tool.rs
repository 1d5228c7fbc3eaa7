//! [`McpTool`]: one attempt is one `tools/call`.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, ClientRequest, Request, RequestMetaObject, ServerResult};
use rmcp::service::PeerRequestOptions;
use serde_json::Value;
use toolexec::{CallContext, Tool, ToolError, ToolSpec};
use toolexec_telemetry::propagation::current_trace_context;

use crate::deadline::backstop_remaining;

use super::cancel::CancelOnDrop;
use super::result::{response_error, send_error, tool_result};
use super::session::Connection;

/// One tool of an MCP server as a [`Tool`]; made by [`McpServer`](super::McpServer).
pub struct McpTool {
    spec: ToolSpec,
    remote_name: String,
    connection: Arc<Connection>,
    idle_timeout: Option<Duration>,
}

impl std::fmt::Debug for McpTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpTool")
            .field("name", &self.spec.name)
            .field("server", &self.connection.name)
            .field("remote_name", &self.remote_name)
            .finish()
    }
}

impl McpTool {
    pub(super) fn new(
        spec: ToolSpec,
        remote_name: String,
        connection: Arc<Connection>,
        idle_timeout: Option<Duration>,
    ) -> Self {
        Self {
            spec,
            remote_name,
            connection,
            idle_timeout,
        }
    }

    fn options(&self, ctx: &CallContext) -> PeerRequestOptions {
        let mut options = match self.idle_timeout {
            Some(idle) => PeerRequestOptions::with_timeout(idle).reset_timeout_on_progress(),
            None => PeerRequestOptions::no_options(),
        };
        if let Some(remaining) = backstop_remaining(ctx) {
            options = options.with_max_total_timeout(remaining.max(Duration::from_millis(1)));
        }
        options
    }

    async fn invoke(&self, input: &Value, ctx: CallContext) -> Result<Value, ToolError> {
        let mut params = CallToolRequestParams::new(self.remote_name.clone());
        params.arguments = match input {
            Value::Object(arguments) => Some(arguments.clone()),
            Value::Null => None,
            _ => {
                return Err(ToolError::invalid_input(
                    "input",
                    "an MCP tool takes a JSON object",
                ))
            }
        };
        params.meta = trace_meta();
        let server = self.connection.name.as_str();
        let peer = self.connection.peer().await?;
        let request = ClientRequest::CallToolRequest(Request::new(params));
        let handle = peer
            .send_request_with_option(request, self.options(&ctx))
            .await
            .map_err(|e| send_error(server, &e))?;
        let mut guard = CancelOnDrop::new(peer.clone(), handle.id.clone());
        // A notification that comes before this registration is not reported: it can
        // only come as early as the server's first step.
        let _routed = ctx.wants_progress().then(|| {
            self.connection
                .progress
                .register(handle.progress_token.clone(), &ctx)
        });
        let outcome = tokio::select! {
            biased;
            _ = ctx.cancellation.cancelled() => {
                return Err(ToolError::OutcomeUnknown {
                    message: format!("the call was cancelled; `{server}` was told to stop"),
                });
            }
            outcome = handle.await_response() => outcome,
        };
        // On its own timeouts rmcp has already sent the cancellation.
        guard.disarm();
        match outcome {
            Ok(ServerResult::CallToolResult(result)) => tool_result(result),
            Ok(_) => Err(response_error(
                server,
                rmcp::ServiceError::UnexpectedResponse,
            )),
            Err(error) => Err(response_error(server, error)),
        }
    }
}

/// The attempt's trace context (`traceparent`, `tracestate`) for the request's `_meta`,
/// as OpenTelemetry's MCP conventions carry it; `None` when no trace is exported.
fn trace_meta() -> Option<RequestMetaObject> {
    let fields = current_trace_context();
    if fields.is_empty() {
        return None;
    }
    let mut meta = RequestMetaObject::new();
    for (name, value) in fields {
        meta.0 .0.insert(name.to_owned(), Value::String(value));
    }
    Some(meta)
}

impl Tool for McpTool {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> futures::future::BoxFuture<'a, Result<Value, ToolError>> {
        Box::pin(self.invoke(input, ctx))
    }
}
