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
    #[serde(default)]
    idle_timeout_ms: Option<u64>,
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
    tool_call.idle_timeout_ms = overrides.idle_timeout_ms;
    tool_call.deadline_ms = overrides.deadline_ms;
    tool_call.max_retries = overrides.max_retries;
    Ok(tool_call)
}

#[cfg(test)]
mod tests {
    use toolexec::ToolAnnotations;

    use super::*;
    use crate::{BatchSummary, CallDetail};

    fn call(index: u32, tool: &str, status: Option<&str>, key: Option<&str>) -> CallDetail {
        CallDetail {
            index,
            call_id: format!("c{index}"),
            tool: tool.to_owned(),
            input_json: r#"{"n":1}"#.to_owned(),
            idempotency_key: key.map(str::to_owned),
            overrides_json: Some(r#"{"timeout_ms":250}"#.to_owned()),
            started_at_ms: None,
            status: status.map(str::to_owned),
            envelope_json: None,
        }
    }

    fn batch(calls: Vec<CallDetail>) -> BatchDetail {
        BatchDetail {
            summary: BatchSummary {
                id: "b-1".into(),
                accepted_at_ms: 0,
                ended_at_ms: Some(1),
                interrupted: false,
                redrive_of: None,
                calls: calls.len() as u32,
                counts: Default::default(),
                unfinished: 0,
            },
            calls,
        }
    }

    fn tools() -> Vec<ToolSpec> {
        let mutating = ToolAnnotations {
            read_only: false,
            idempotent: false,
            destructive: false,
        };
        vec![
            ToolSpec::new("read", "reads"),
            ToolSpec::new("charge", "charges").with_annotations(mutating),
        ]
    }

    #[test]
    fn failed_timed_out_cancelled_and_interrupted_calls_run_again_as_they_were() {
        let calls = [
            "failed",
            "timeout",
            "cancelled",
            "interrupted",
            "success",
            "rejected",
        ]
        .iter()
        .zip(0..)
        .map(|(status, i)| call(i, "read", Some(status), None))
        .collect();
        let plan = plan(&batch(calls), &tools()).expect("a plan");
        let ids: Vec<_> = plan
            .calls
            .iter()
            .map(|c| c.call_id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["c0", "c1", "c2", "c3"]);
        assert_eq!(plan.calls[0].timeout_ms, Some(250));
        assert_eq!(plan.calls[0].input, serde_json::json!({"n": 1}));
        assert!(plan.skipped.is_empty());
    }

    #[test]
    fn a_mutating_call_runs_again_only_with_an_idempotency_key() {
        let calls = vec![
            call(0, "charge", Some("failed"), None),
            call(1, "charge", Some("failed"), Some("k")),
        ];
        let plan = plan(&batch(calls), &tools()).expect("a plan");
        assert_eq!(plan.calls.len(), 1);
        assert_eq!(plan.calls[0].idempotency_key.as_deref(), Some("k"));
        assert_eq!(plan.skipped[0].call_id, "c0");
        assert!(plan.skipped[0].reason.contains("idempotency_key"));
    }

    #[test]
    fn a_call_of_a_tool_no_longer_registered_is_skipped() {
        let plan = plan(
            &batch(vec![call(0, "gone", Some("failed"), None)]),
            &tools(),
        )
        .expect("a plan");
        assert!(plan.calls.is_empty());
        assert!(plan.skipped[0].reason.contains("no tool named `gone`"));
    }

    #[test]
    fn a_batch_still_running_cannot_be_redriven() {
        let calls = vec![
            call(0, "read", Some("failed"), None),
            call(1, "read", None, None),
        ];
        assert_eq!(
            plan(&batch(calls), &tools()),
            Err(RedriveError::StillRunning("b-1".into()))
        );
    }
}
