//! The [`Tool`] trait, its [`ToolSpec`], and [`tool_fn`] for turning a closure into a tool.

use std::future::Future;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{CallContext, ToolError};

/// Hints about a tool's side effects, in the vocabulary of MCP tool annotations.
///
/// They feed the retry rules: a *mutating* tool (neither read-only nor idempotent) is
/// not retried after a failure whose outcome is unknown, unless the call carries an
/// idempotency key.
///
/// # Default
///
/// `read_only: false, idempotent: true, destructive: false`: tools are assumed safe to
/// retry, as in the original system. Mark a tool `idempotent: false` to opt out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolAnnotations {
    /// The tool does not change anything.
    pub read_only: bool,
    /// Calling it twice with the same input has the effect of calling it once.
    pub idempotent: bool,
    /// The tool may destroy or overwrite data.
    pub destructive: bool,
}

impl Default for ToolAnnotations {
    fn default() -> Self {
        Self {
            read_only: false,
            idempotent: true,
            destructive: false,
        }
    }
}

impl ToolAnnotations {
    /// Annotations of a tool that only reads.
    pub fn read_only() -> Self {
        Self {
            read_only: true,
            idempotent: true,
            destructive: false,
        }
    }

    /// Whether a repeated call could repeat a side effect.
    pub fn is_mutating(&self) -> bool {
        !self.read_only && !self.idempotent
    }
}

/// What a tool is: its name, what it does, the JSON Schema of its input, and hints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// The name calls use to reach the tool.
    pub name: String,
    /// What the tool does, for people and for models choosing tools.
    pub description: String,
    /// The JSON Schema of the input object.
    pub input_schema: Value,
    /// Side-effect hints.
    #[serde(default)]
    pub annotations: ToolAnnotations,
}

impl ToolSpec {
    /// A spec accepting any JSON object, with default annotations.
    #[must_use]
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            input_schema: serde_json::json!({"type": "object"}),
            annotations: ToolAnnotations::default(),
        }
    }

    /// Sets the input schema.
    #[must_use]
    pub fn with_input_schema(mut self, schema: Value) -> Self {
        self.input_schema = schema;
        self
    }

    /// Sets the annotations.
    #[must_use]
    pub fn with_annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = annotations;
        self
    }
}

/// A tool the executor can call: in-process code, a Lambda function, an HTTP endpoint,
/// a process, an MCP server's tool.
///
/// The trait is object-safe; the executor holds tools as `Arc<dyn Tool>`. A tool
/// reports failures as [`ToolError`]s; timeouts, retries, panics and cancellation are
/// the executor's business, not the tool's.
pub trait Tool: Send + Sync + 'static {
    /// The tool's spec.
    fn spec(&self) -> &ToolSpec;

    /// Runs one attempt.
    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>>;
}

/// A tool made from a spec and an async function; see [`tool_fn`].
pub struct FnTool<F> {
    spec: ToolSpec,
    function: F,
}

impl<F> std::fmt::Debug for FnTool<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnTool").field("spec", &self.spec).finish()
    }
}

/// Turns an async function of the input and the call context into a [`Tool`].
///
/// ```
/// use toolexec::{tool_fn, ToolSpec};
/// use serde_json::json;
///
/// let add = tool_fn(ToolSpec::new("add", "Adds a and b"), |input, _ctx| async move {
///     let a = input["a"].as_f64().unwrap_or(0.0);
///     let b = input["b"].as_f64().unwrap_or(0.0);
///     Ok(json!({"sum": a + b}))
/// });
/// # let _ = add;
/// ```
pub fn tool_fn<F, Fut>(spec: ToolSpec, function: F) -> FnTool<F>
where
    F: Fn(Value, CallContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, ToolError>> + Send + 'static,
{
    FnTool { spec, function }
}

impl<F, Fut> Tool for FnTool<F>
where
    F: Fn(Value, CallContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, ToolError>> + Send + 'static,
{
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>> {
        Box::pin((self.function)(input.clone(), ctx))
    }
}
