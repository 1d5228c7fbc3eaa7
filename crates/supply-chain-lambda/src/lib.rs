//! The supply-chain tool groups as AWS Lambda functions.
//!
//! One binary serves any group; the group is chosen by name (see [`group_from_env`]).
//! An event `{"tool": "calculate_reorder_points", "input": {...}}` is answered with the
//! structured response `{success, result | error, tool_name, execution_time_ms}`. The
//! work is done by [`supply_chain::dispatch`], the same implementation the in-process
//! tools use.
//!
//! ```
//! use serde_json::json;
//! use supply_chain::Store;
//!
//! let store = std::sync::Arc::new(Store::in_memory()?);
//! let rt = tokio::runtime::Runtime::new()?;
//! let response = rt.block_on(supply_chain_lambda::handle(
//!     "inventory_optimizer",
//!     json!({"tool": "optimize_order_quantities", "input": {"items": [
//!         {"annual_demand": 1200.0, "ordering_cost": 50.0, "holding_cost_per_unit_year": 3.0}]}}),
//!     store,
//! ));
//! assert_eq!(response["success"], true);
//! assert_eq!(response["result"]["items"][0]["order_quantity"], 200.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};
use supply_chain::{dispatch, Store, GROUPS};
use toolexec::ToolError;

/// Environment variable naming the group this function serves.
pub const GROUP_ENV: &str = "TOOL_GROUP";
/// Environment variable with the SQLite path (default `/tmp/supply_chain.db`, Lambda's
/// writable directory; seeded at scale 1 on first use).
pub const DB_ENV: &str = "SUPPLY_CHAIN_DB";

/// The group to serve: `TOOL_GROUP`, else the Lambda function's own name
/// (`AWS_LAMBDA_FUNCTION_NAME`) when it is a group name.
pub fn group_from_env() -> Option<String> {
    let pick = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|g| GROUPS.contains(&g.as_str()))
    };
    pick(GROUP_ENV).or_else(|| pick("AWS_LAMBDA_FUNCTION_NAME"))
}

/// Serves the Lambda runtime API as the function of `group` (or, when `None`, the
/// group of [`group_from_env`]), with the database at `SUPPLY_CHAIN_DB`.
pub async fn run(group: Option<&str>) -> Result<(), lambda_runtime::Error> {
    let group = match group {
        Some(group) => group.to_owned(),
        None => group_from_env().ok_or_else(|| {
            format!(
                "set TOOL_GROUP (or name the function) to one of: {}",
                GROUPS.join(", ")
            )
        })?,
    };
    let path = std::env::var(DB_ENV).unwrap_or_else(|_| "/tmp/supply_chain.db".into());
    let store = Arc::new(Store::open_or_seed(&path, 1)?);
    let group: Arc<str> = group.into();
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Value>| {
            let (group, store) = (group.clone(), store.clone());
            async move { Ok::<Value, lambda_runtime::Error>(handle(&group, event.payload, store).await) }
        },
    ))
    .await
}

/// Answers one event for `group`. Never fails: every problem becomes `success: false`
/// with an `error` of `{kind, message, retryable}` as in the engine's envelope.
pub async fn handle(group: &str, event: Value, store: Arc<Store>) -> Value {
    let started = Instant::now();
    let tool = event
        .get("tool")
        .or_else(|| event.get("tool_name"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let input = event
        .get("input")
        .or_else(|| event.get("parameters"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    let outcome = match &tool {
        None => Err(ToolError::invalid_input("tool", "the event names no tool")),
        Some(name) => {
            let (group, name) = (group.to_owned(), name.clone());
            tokio::task::spawn_blocking(move || dispatch(&group, &name, &input, &store))
                .await
                .unwrap_or_else(|e| Err(ToolError::failed(format!("tool task failed: {e}"))))
        }
    };
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(result) => json!({"success": true, "result": result, "error": null,
            "tool_name": tool, "execution_time_ms": elapsed_ms}),
        Err(err) => json!({"success": false, "result": null,
            "error": {"kind": err.kind().as_str(), "message": err.to_string(), "retryable": err.is_retryable()},
            "tool_name": tool, "execution_time_ms": elapsed_ms}),
    }
}
