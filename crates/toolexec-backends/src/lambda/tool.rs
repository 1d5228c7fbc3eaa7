//! [`LambdaTool`]: one attempt is one synchronous `Invoke`.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use serde_json::Value;
use toolexec::{CallContext, Tool, ToolError, ToolSpec};
use toolexec_telemetry::propagation::current_trace_context;

use super::errors::{function_error, invoke_error};
use super::LambdaProtocol;
use crate::deadline::backstop;
use crate::text::parse_json_output;

/// The largest request payload of a synchronous invocation: 6 MB.
pub const LAMBDA_SYNC_PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// An AWS Lambda function as a [`Tool`]; built by
/// [`LambdaConfig::build`](super::LambdaConfig::build).
pub struct LambdaTool {
    spec: ToolSpec,
    client: aws_sdk_lambda::Client,
    function_name: String,
    qualifier: Option<String>,
    protocol: LambdaProtocol,
    remote_tool: String,
}

impl std::fmt::Debug for LambdaTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaTool")
            .field("name", &self.spec.name)
            .field("function_name", &self.function_name)
            .field("qualifier", &self.qualifier)
            .field("protocol", &self.protocol)
            .finish()
    }
}

impl LambdaTool {
    pub(super) fn new(
        spec: ToolSpec,
        client: aws_sdk_lambda::Client,
        function_name: String,
        qualifier: Option<String>,
        protocol: LambdaProtocol,
        remote_tool: String,
    ) -> Self {
        Self {
            spec,
            client,
            function_name,
            qualifier,
            protocol,
            remote_tool,
        }
    }

    async fn invoke(&self, input: &Value, ctx: CallContext) -> Result<Value, ToolError> {
        let event = self.protocol.event(&self.remote_tool, input);
        let payload = serde_json::to_vec(&event)
            .map_err(|e| ToolError::invalid_input("input", e.to_string()))?;
        if payload.len() > LAMBDA_SYNC_PAYLOAD_LIMIT {
            return Err(ToolError::InvalidInput {
                field: None,
                message: format!(
                    "the payload is {} bytes; a synchronous Lambda invocation takes at most {LAMBDA_SYNC_PAYLOAD_LIMIT}",
                    payload.len()
                ),
            });
        }
        let request = self
            .client
            .invoke()
            .function_name(&self.function_name)
            .set_qualifier(self.qualifier.clone())
            .invocation_type(InvocationType::RequestResponse)
            .payload(Blob::new(payload))
            .set_client_context(trace_client_context())
            .send();
        let output = match backstop(&ctx) {
            Some(deadline) => tokio::time::timeout_at(deadline, request)
                .await
                .map_err(|_| ToolError::OutcomeUnknown {
                    message: format!(
                        "no answer from `{}` before the attempt's deadline",
                        self.function_name
                    ),
                })?,
            None => request.await,
        }
        .map_err(|e| invoke_error(&self.function_name, e))?;
        let body = output.payload().map(Blob::as_ref).unwrap_or_default();
        if output.function_error().is_some() {
            return Err(function_error(body));
        }
        self.protocol
            .result(parse_json_output(body, "the function's response payload")?)
    }
}

impl Tool for LambdaTool {
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

/// The attempt's trace context for the invocation's client context (base64 JSON), as
/// `custom.traceparent` (and `custom.tracestate`), which the function reads from its
/// context (`context.client_context.custom`); `None` when no trace is exported.
fn trace_client_context() -> Option<String> {
    use base64::Engine as _;
    let fields = current_trace_context();
    if fields.is_empty() {
        return None;
    }
    let custom: serde_json::Map<String, Value> = fields
        .into_iter()
        .map(|(name, value)| (name.to_owned(), Value::String(value)))
        .collect();
    let context = serde_json::json!({ "custom": custom });
    Some(base64::engine::general_purpose::STANDARD.encode(context.to_string()))
}
