//! The OpenAPI document, generated from the route annotations with utoipa.

use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The document's fixed parts; the paths come from the routes (see [`crate::openapi()`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "toolexec",
        description = "Run tool calls for AI agents in parallel batches with deadlines, \
                       retries, circuit breakers and fallbacks; watch them live. Every call \
                       yields one result envelope (docs/CONTRACTS.md, the envelope). Errors are \
                       `{\"error\": {\"code\", \"message\", \"field\"?}}`."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "batches", description = "Run batches of tool calls"),
        (name = "calls", description = "Live status of one call"),
        (name = "events", description = "The lifecycle event stream"),
        (name = "tools", description = "Registered tools"),
        (name = "stats", description = "Statistics and recent failures"),
        (name = "ask", description = "The supply-chain assistant"),
        (name = "ops", description = "Health and metrics"),
    )
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token of the server's TOOLEXEC_API_TOKEN; required when it is set",
                    ))
                    .build(),
            ),
        );
    }
}

/// The schema of `toolexec::ToolCall` (the engine stays free of OpenAPI); a test checks
/// that both have the same fields.
#[derive(ToSchema)]
#[schema(as = ToolCall)]
#[allow(dead_code)]
pub(crate) struct ToolCallSchema {
    /// The tool's name (`GET /v1/tools`).
    tool: String,
    /// The tool's input; `{}` when absent.
    #[schema(value_type = Option<Object>)]
    input: Option<Value>,
    /// The call's id in its envelope; `<batch_id>-<index>` when absent. Unique per batch.
    call_id: Option<String>,
    /// Bounds each attempt, in milliseconds.
    #[schema(minimum = 1)]
    timeout_ms: Option<u64>,
    /// Bounds each attempt's time without a progress report, in milliseconds.
    #[schema(minimum = 1)]
    idle_timeout_ms: Option<u64>,
    /// Bounds the call with its retries, in milliseconds.
    #[schema(minimum = 1)]
    deadline_ms: Option<u64>,
    /// Retries after the first attempt.
    max_retries: Option<u32>,
    /// Lets a mutating tool be retried after an outcome-unknown failure.
    idempotency_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn tool_call_schema_has_the_fields_of_tool_call() {
        let call = toolexec::ToolCall::new("t", serde_json::json!({}))
            .with_id("a")
            .with_timeout(std::time::Duration::from_millis(1))
            .with_idle_timeout(std::time::Duration::from_millis(1))
            .with_deadline(std::time::Duration::from_millis(1))
            .with_max_retries(1)
            .with_idempotency_key("k");
        let serialized = serde_json::to_value(call).unwrap();
        let mut engine: Vec<&String> = serialized.as_object().unwrap().keys().collect();
        let schema = serde_json::to_value(ToolCallSchema::schema()).unwrap();
        let mut documented: Vec<&String> =
            schema["properties"].as_object().unwrap().keys().collect();
        engine.sort();
        documented.sort();
        assert_eq!(engine, documented);
    }
}
