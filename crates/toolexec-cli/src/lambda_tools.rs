//! The supply-chain tools as AWS Lambda functions: each tool call goes to the function
//! of its group (`inventory_optimizer`, `logistics_optimizer`, `supplier_analyzer`) as
//! the event `{"tool": NAME, "input": {...}}`, and the function's structured response
//! (`{"success", "result" | "error", "tool_name", "execution_time_ms"}`) is unwrapped, so
//! agents see the same results as in-process.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{json, Value};
use toolexec::{CallContext, PolicyError, Tool, ToolAnnotations, ToolError, ToolSpec};
use toolexec_backends::{LambdaConfig, LambdaTool};

/// Where the functions are.
#[derive(Debug, Clone, Default)]
pub struct LambdaTarget {
    /// A local emulator or another Lambda API endpoint.
    pub endpoint_url: Option<String>,
    /// The AWS region.
    pub region: Option<String>,
}

/// One supply-chain tool served by its group's Lambda function.
struct GroupFunctionTool {
    spec: ToolSpec,
    function: LambdaTool,
}

impl Tool for GroupFunctionTool {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>> {
        Box::pin(async move {
            let event = json!({"tool": self.spec.name, "input": input});
            let response = self.function.call(&event, ctx).await?;
            unwrap_response(response)
        })
    }
}

/// The result of a structured response, or its error as a [`ToolError`].
pub fn unwrap_response(response: Value) -> Result<Value, ToolError> {
    if response["success"] == true {
        return Ok(response.get("result").cloned().unwrap_or(Value::Null));
    }
    if response.get("success").is_none() {
        return Err(ToolError::BadOutput {
            message: "the function's response has no `success` field".into(),
        });
    }
    let error = &response["error"];
    let message = error["message"]
        .as_str()
        .or(error.as_str())
        .unwrap_or("the function reported a failure")
        .to_owned();
    let field = error["field"].as_str().map(str::to_owned);
    Err(match error["kind"].as_str() {
        Some("invalid_input") => ToolError::InvalidInput { field, message },
        Some("not_found") => ToolError::NotFound { message },
        Some("backend") | Some("throttled") => ToolError::Transient { message },
        kind => ToolError::Failed {
            error_type: kind.map(str::to_owned),
            message,
        },
    })
}

/// The supply-chain tools, each calling its group's function at `target`.
pub async fn supply_chain_functions(
    target: &LambdaTarget,
) -> Result<Vec<Arc<dyn Tool>>, PolicyError> {
    let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
    for def in supply_chain::tools::definitions() {
        let mut config = LambdaConfig::new(def.group);
        config.endpoint_url = target.endpoint_url.clone();
        config.region = target.region.clone();
        let function = config.build_tool(def.name).await?;
        let spec = ToolSpec::new(def.name, def.description)
            .with_input_schema((def.schema)())
            .with_annotations(ToolAnnotations::read_only());
        tools.push(Arc::new(GroupFunctionTool { spec, function }));
    }
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_successful_response_yields_its_result() {
        let response = json!({"success": true, "result": {"x": 1}, "tool_name": "t", "execution_time_ms": 2.0});
        assert_eq!(unwrap_response(response), Ok(json!({"x": 1})));
    }

    #[test]
    fn an_invalid_input_response_keeps_its_field() {
        let response = json!({"success": false, "error": {"kind": "invalid_input", "message": "bad", "field": "items[0].sku"}});
        assert_eq!(
            unwrap_response(response),
            Err(ToolError::InvalidInput {
                field: Some("items[0].sku".into()),
                message: "bad".into()
            })
        );
    }

    #[test]
    fn a_response_without_success_is_bad_output() {
        assert!(matches!(
            unwrap_response(json!({"x": 1})),
            Err(ToolError::BadOutput { .. })
        ));
    }
}
