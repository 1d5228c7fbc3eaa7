//! The tools as [`toolexec::Tool`]s, grouped, and [`dispatch`] for callers outside an
//! executor (the Lambda functions).

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;
use toolexec::{CallContext, Tool, ToolAnnotations, ToolError, ToolSpec};

use crate::attempt_gate::AttemptGate;
use crate::tools::{definitions, RunContext, ToolDef};
use crate::Store;

/// The tool groups, each deployable as one Lambda function of the same name.
pub const GROUPS: [&str; 3] = [
    "inventory_optimizer",
    "logistics_optimizer",
    "supplier_analyzer",
];

/// One supply-chain tool bound to a store.
struct SupplyChainTool {
    spec: ToolSpec,
    def: ToolDef,
    store: Arc<Store>,
    gate: Arc<AttemptGate>,
}

impl Tool for SupplyChainTool {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> BoxFuture<'a, Result<Value, ToolError>> {
        let input = input.clone();
        let store = self.store.clone();
        let handler = self.def.handler;
        let token = ctx.cancellation.clone();
        let run = RunContext {
            // `checked_add`: the time left comes from outside; past the clock's range there is
            // no deadline to keep.
            deadline: ctx
                .remaining()
                .and_then(|left| std::time::Instant::now().checked_add(left)),
            cancelled: Some(Arc::new(move || token.is_cancelled())),
        };
        let (gate, call_id, attempt) = (self.gate.clone(), ctx.call_id.clone(), ctx.attempt);
        Box::pin(async move {
            // A retry waits here until the call's earlier attempt has really stopped.
            let pass = gate.enter(&call_id, attempt).await;
            tokio::task::spawn_blocking(move || {
                let _pass = pass;
                handler(&input, &store, &run)
            })
            .await
            .map_err(|e| ToolError::failed(format!("tool task failed: {e}")))?
        })
    }
}

fn make(def: ToolDef, store: &Arc<Store>) -> Arc<dyn Tool> {
    let spec = ToolSpec::new(def.name, def.description)
        .with_input_schema((def.schema)())
        .with_annotations(ToolAnnotations::read_only());
    Arc::new(SupplyChainTool {
        spec,
        def,
        store: store.clone(),
        gate: Arc::default(),
    })
}

/// All supply-chain tools, bound to `store`.
pub fn builtin_tools(store: Arc<Store>) -> Vec<Arc<dyn Tool>> {
    definitions().into_iter().map(|d| make(d, &store)).collect()
}

/// The tools of one group (see [`GROUPS`]); empty for an unknown group.
pub fn group_tools(group: &str, store: Arc<Store>) -> Vec<Arc<dyn Tool>> {
    definitions()
        .into_iter()
        .filter(|d| d.group == group)
        .map(|d| make(d, &store))
        .collect()
}

/// Runs `tool_name` of `group` on `input`, blocking the current thread: the one
/// implementation the in-process tools and the Lambda functions share. Unknown groups or
/// tools are [`ToolError::NotFound`].
pub fn dispatch(
    group: &str,
    tool_name: &str,
    input: &Value,
    store: &Store,
) -> Result<Value, ToolError> {
    if !GROUPS.contains(&group) {
        return Err(ToolError::NotFound {
            message: format!(
                "unknown tool group {group:?}; groups: {}",
                GROUPS.join(", ")
            ),
        });
    }
    let def = definitions()
        .into_iter()
        .find(|d| d.group == group && d.name == tool_name)
        .ok_or_else(|| ToolError::NotFound {
            message: format!("no tool {tool_name:?} in group {group}"),
        })?;
    (def.handler)(input, store, &RunContext::default())
}
