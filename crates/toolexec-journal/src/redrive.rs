//! Redrive: which calls of a journaled batch run again, and which are skipped and why.

use serde::Serialize;
use serde_json::Value;
use toolexec::{ToolCall, ToolSpec};

use crate::BatchDetail;

/// The statuses whose calls a redrive runs again.
pub const REDRIVEN_STATUSES: [&str; 4] = ["failed", "timeout", "cancelled", "interrupted"];

/// A call a redrive leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Its index in the journaled batch.
    pub index: u32,
    /// Its call id.
    pub call_id: String,
    /// Its tool.
    pub tool: String,
    /// How it ended.
    pub status: String,
    /// Why it is not run again.
    pub reason: String,
}

/// What a redrive of one batch runs and leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct RedrivePlan {
    /// The calls to run again, in the batch's order, with their ids, inputs, overrides
    /// and idempotency keys as journaled.
    pub calls: Vec<ToolCall>,
    /// The calls that ended so but are not run again.
    pub skipped: Vec<Skipped>,
}

/// Why a batch cannot be redriven at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedriveError {
    /// Some of its calls have not ended.
    #[error("batch `{0}` is still running; redrive it once it has ended")]
    StillRunning(String),
}

/// Plans the redrive of `batch` against the tools registered now (`tools`).
///
/// Calls that ended `failed`, `timeout`, `cancelled` or `interrupted` run again, except
/// a call whose tool is no longer registered, and a call of a tool annotated as neither
/// read-only nor idempotent that carries no idempotency key (running it again could
/// repeat a side effect): those are skipped with the reason.
pub fn plan(batch: &BatchDetail, tools: &[ToolSpec]) -> Result<RedrivePlan, RedriveError> {
    let mut plan = RedrivePlan {
        calls: Vec::new(),
        skipped: Vec::new(),
    };
    for call in &batch.calls {
        let Some(status) = &call.status else {
            return Err(RedriveError::StillRunning(batch.summary.id.clone()));
        };
        if !REDRIVEN_STATUSES.contains(&status.as_str()) {
            continue;
        }
        let skip = |reason: String| Skipped {
            index: call.index,
            call_id: call.call_id.clone(),
            tool: call.tool.clone(),
            status: status.clone(),
            reason,
        };
        let Some(spec) = tools.iter().find(|t| t.name == call.tool) else {
            plan.skipped.push(skip(format!(
                "no tool named `{}` is registered now",
                call.tool
            )));
            continue;
        };
        if spec.annotations.is_mutating() && call.idempotency_key.is_none() {
            let reason = "its tool is not idempotent and the call carries no idempotency_key, \
                          so running it again could repeat its side effect";
            plan.skipped.push(skip(reason.to_owned()));
            continue;
        }
        match rebuilt(call) {
            Ok(tool_call) => plan.calls.push(tool_call),
            Err(reason) => plan.skipped.push(skip(reason)),
        }
    }
    Ok(plan)
}

/// The overrides a call was journaled with.
#[derive(serde::Deserialize, Default)]
struct Overrides {
    timeout_ms: Option<u64>,
    deadline_ms: Option<u64>,
    max_retries: Option<u32>,
}

/// The call as it was accepted.
fn rebuilt(call: &crate::CallDetail) -> Result<ToolCall, String> {
    let input: Value = serde_json::from_str(&call.input_json)
        .map_err(|e| format!("its journaled input cannot be read: {e}"))?;
    let overrides: Overrides = match &call.overrides_json {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| format!("its journaled overrides cannot be read: {e}"))?,
        None => Overrides::default(),
    };
    let mut tool_call = ToolCall::new(call.tool.clone(), input).with_id(call.call_id.clone());
    tool_call.idempotency_key = call.idempotency_key.clone();
    tool_call.timeout_ms = overrides.timeout_ms;
    tool_call.deadline_ms = overrides.deadline_ms;
    tool_call.max_retries = overrides.max_retries;
    Ok(tool_call)
}
