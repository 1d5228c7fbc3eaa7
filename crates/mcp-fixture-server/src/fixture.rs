//! The fixture's tools.

use std::io::Write;
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, ProgressNotificationParam};
use rmcp::service::RequestContext;
use rmcp::{schemars, tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler};
use serde::Deserialize;
use serde_json::json;

/// The fixture server: its tools and nothing else.
#[derive(Debug, Clone)]
pub(crate) struct Fixture {
    tool_router: ToolRouter<Fixture>,
}

/// The input of `echo`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub(crate) struct EchoArgs {
    /// The text to send back.
    text: String,
}

/// The input of `slow`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub(crate) struct SlowArgs {
    /// How many steps to take.
    steps: u32,
    /// How long each step takes, in milliseconds.
    step_ms: u64,
}

#[tool_router]
impl Fixture {
    pub(crate) fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    /// Sends the text back.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    async fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> CallToolResult {
        CallToolResult::structured(json!({ "text": args.text }))
    }

    /// Always fails, with isError set.
    #[tool(annotations(
        read_only_hint = false,
        idempotent_hint = false,
        destructive_hint = true
    ))]
    async fn fail(&self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text("the fixture failed on purpose")])
    }

    /// Takes `steps` steps of `step_ms` each, reporting progress after each; stops
    /// when the client cancels, and records how it ended in `MCP_FIXTURE_LOG`.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    async fn slow(
        &self,
        Parameters(args): Parameters<SlowArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let RequestContext {
            ct: cancel,
            id,
            meta,
            peer,
            ..
        } = context;
        let token = meta.get_progress_token();
        for step in 1..=args.steps {
            tokio::select! {
                _ = cancel.cancelled() => {
                    record(&format!("cancelled {id}"));
                    return Err(ErrorData::internal_error("cancelled", None));
                }
                _ = tokio::time::sleep(Duration::from_millis(args.step_ms)) => {}
            }
            if let Some(token) = &token {
                let progress = ProgressNotificationParam::new(token.clone(), f64::from(step))
                    .with_total(f64::from(args.steps))
                    .with_message(format!("step {step} of {}", args.steps));
                let _ = peer.notify_progress(progress).await;
            }
        }
        record(&format!("completed {id}"));
        Ok(CallToolResult::structured(json!({ "steps": args.steps })))
    }

    /// Reports progress after each of `steps` steps of `step_ms`, then goes silent
    /// until the client cancels (recorded in `MCP_FIXTURE_LOG` as `stalled-cancelled`).
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    async fn stall(
        &self,
        Parameters(args): Parameters<SlowArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let token = context.meta.get_progress_token();
        for step in 1..=args.steps {
            tokio::time::sleep(Duration::from_millis(args.step_ms)).await;
            if let Some(token) = &token {
                let progress = ProgressNotificationParam::new(token.clone(), f64::from(step))
                    .with_message(format!("step {step}, then silence"));
                let _ = context.peer.notify_progress(progress).await;
            }
        }
        context.ct.cancelled().await;
        record(&format!("stalled-cancelled {}", context.id));
        Err(ErrorData::internal_error("cancelled", None))
    }

    /// Refuses every call with the JSON-RPC error -32602 (invalid params).
    #[tool(annotations(read_only_hint = true))]
    async fn reject(&self) -> Result<CallToolResult, ErrorData> {
        Err(ErrorData::invalid_params("sku must not be empty", None))
    }

    /// Answers with the W3C trace context (`traceparent`, `tracestate`) the request
    /// carried in its `_meta`, `null` where it carried none.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    async fn trace_context(&self, context: RequestContext<RoleServer>) -> CallToolResult {
        let field = |name: &str| context.meta.get(name).cloned();
        CallToolResult::structured(json!({
            "traceparent": field("traceparent"),
            "tracestate": field("tracestate"),
        }))
    }

    /// Exits the server process at once with code 3.
    #[tool]
    async fn crash(&self) -> CallToolResult {
        std::process::exit(3)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Fixture {}

fn record(line: &str) {
    if let Some(path) = std::env::var_os("MCP_FIXTURE_LOG") {
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(file, "{line}");
        }
    }
}
