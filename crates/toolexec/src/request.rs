//! What a running call keeps of its request: the input, its overrides of the tool's
//! policy resolved once, its idempotency key and the deadline in force.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::policy::deadline::{after, earliest};
use crate::policy::CallPolicy;
use crate::registry::RegisteredTool;
use crate::scope::Scope;
use crate::{PolicyError, ToolCall};

/// What a running call keeps of its [`ToolCall`]: less than the whole request, which
/// a call's future would otherwise carry for as long as it runs.
pub(crate) struct Request {
    pub(crate) input: Value,
    /// The tool's policy with the call's overrides, for the few calls that have any,
    /// or the override outside its limits.
    overridden: Option<Box<Result<CallPolicy, PolicyError>>>,
    pub(crate) idempotency_key: Option<Arc<str>>,
    /// The earliest of the call's deadline and its batch's.
    pub(crate) deadline: Option<Instant>,
}

impl Request {
    /// The request of `call` to `tool`, accepted at `start` in `scope`.
    pub(crate) fn new(
        call: ToolCall,
        tool: Option<&RegisteredTool>,
        start: Instant,
        scope: &Scope,
    ) -> Self {
        let overridden = tool
            .filter(|_| has_overrides(&call))
            .map(|tool| Box::new(with_overrides(&tool.policy, &call)));
        // The call deadline in force: the overridden policy's, else the tool's.
        let call_deadline = match overridden.as_deref() {
            Some(Ok(policy)) => policy.call_deadline,
            Some(Err(_)) => None,
            None => tool.and_then(|tool| tool.policy.call_deadline),
        };
        Self {
            overridden,
            idempotency_key: call.idempotency_key.map(Into::into),
            deadline: earliest(call_deadline.map(|d| after(start, d)), scope.deadline),
            input: call.input,
        }
    }

    /// The policy in force: the call's overrides of `tool`'s, or the tool's own (most
    /// calls carry no overrides and borrow it).
    pub(crate) fn policy<'a>(&'a self, tool: &'a CallPolicy) -> &'a CallPolicy {
        match self.overridden.as_deref() {
            Some(Ok(policy)) => policy,
            _ => tool,
        }
    }

    /// The call's first override outside its limits, if any: the call must not run.
    pub(crate) fn invalid_override(&self) -> Option<&PolicyError> {
        match self.overridden.as_deref() {
            Some(Err(error)) => Some(error),
            _ => None,
        }
    }
}

/// `policy` with a call's own overrides applied, or the first override outside its
/// limits, named by the call's field.
fn with_overrides(policy: &CallPolicy, call: &ToolCall) -> Result<CallPolicy, PolicyError> {
    call.validate()?;
    let mut policy = *policy;
    if let Some(ms) = call.timeout_ms {
        policy.attempt_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = call.idle_timeout_ms {
        policy.idle_timeout = Some(Duration::from_millis(ms));
    }
    if let Some(ms) = call.deadline_ms {
        policy.call_deadline = Some(Duration::from_millis(ms));
    }
    if let Some(retries) = call.max_retries {
        policy.max_retries = retries;
    }
    Ok(policy)
}

/// Whether a call overrides its tool's policy.
fn has_overrides(call: &ToolCall) -> bool {
    call.timeout_ms.is_some()
        || call.idle_timeout_ms.is_some()
        || call.deadline_ms.is_some()
        || call.max_retries.is_some()
}
