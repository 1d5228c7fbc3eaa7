//! The tool definitions: for each tool its name, group, description (with its
//! conventions), input JSON Schema and handler.
//!
//! Handlers are plain blocking functions of the input and the store; the registry runs
//! them on Tokio's blocking pool. Each parses its input into typed structs that mirror
//! its schema, checks value rules, and answers an invalid input with
//! [`ToolError::InvalidInput`] naming the field.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use toolexec::ToolError;

use crate::{Store, StoreError};

mod carrier_selection;
mod consolidate;
mod cover;
mod demand_forecast;
mod forecast_total;
mod inventory_policy;
mod order_quantities;
mod rank;
mod reorder;
mod supplier_perf;
mod supplier_risk;
mod vehicle_routes;
mod what_if;

/// What a handler may know about the call beyond its input.
#[derive(Clone, Default)]
pub struct RunContext {
    /// When the caller stops waiting; long searches stop a little before it.
    pub deadline: Option<Instant>,
    /// Returns true once the call is cancelled.
    pub cancelled: Option<Arc<dyn Fn() -> bool + Send + Sync>>,
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// A tool handler.
pub type Handler = fn(&Value, &Store, &RunContext) -> Result<Value, ToolError>;

/// One tool's definition.
#[derive(Debug, Clone, Copy)]
pub struct ToolDef {
    /// The tool name.
    pub name: &'static str,
    /// The group (Lambda function) it belongs to.
    pub group: &'static str,
    /// The description, stating conventions.
    pub description: &'static str,
    /// Builds the input JSON Schema.
    pub schema: fn() -> Value,
    /// Runs the tool.
    pub handler: Handler,
}

/// Every tool definition, grouped by tool group.
pub fn definitions() -> Vec<ToolDef> {
    vec![
        reorder::DEF,
        order_quantities::DEF,
        inventory_policy::DEF,
        demand_forecast::DEF,
        cover::DEF,
        what_if::DEF,
        forecast_total::DEF,
        vehicle_routes::DEF,
        consolidate::DEF,
        carrier_selection::DEF,
        supplier_perf::DEF,
        rank::DEF,
        supplier_risk::DEF,
    ]
}

/// Maps a store failure to a tool error: busy databases are transient, the rest fail.
pub(crate) fn store_error(err: StoreError) -> ToolError {
    if err.is_retryable() {
        ToolError::transient(err.to_string())
    } else {
        ToolError::failed(err.to_string())
    }
}

/// A [`ToolError::NotFound`] with a message.
pub(crate) fn not_found(message: impl Into<String>) -> ToolError {
    ToolError::NotFound {
        message: message.into(),
    }
}

/// Serializes a result, which cannot fail for the plain structs the tools return.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, ToolError> {
    serde_json::to_value(value).map_err(|e| ToolError::failed(format!("serializing result: {e}")))
}

/// Rejects inputs that give both or neither of the DB reference and the inline data.
pub(crate) fn one_source(reference: (&str, bool), inline: (&str, bool)) -> Result<(), ToolError> {
    match (reference.1, inline.1) {
        (true, true) => Err(ToolError::invalid_input(
            inline.0,
            format!("give either `{}` or `{}`, not both", reference.0, inline.0),
        )),
        (false, false) => Err(ToolError::invalid_input(
            reference.0,
            format!(
                "give either `{}` (database) or `{}` (inline data)",
                reference.0, inline.0
            ),
        )),
        _ => Ok(()),
    }
}
