//! Calls that ended in an earlier process, read back from a journal after a restart,
//! replayed into an executor's statistics and history.

use std::sync::Arc;
use std::time::Duration;

use crate::history::ExecutionRecord;
use crate::inner::Inner;
use crate::stats::Sample;
use crate::{CallStatus, ErrorKind};

/// One call that ended before this executor was built.
#[derive(Debug, Clone, PartialEq)]
pub struct PastCall {
    /// The call's id.
    pub call_id: Arc<str>,
    /// The tool it called.
    pub tool_name: Arc<str>,
    /// How it ended.
    pub status: CallStatus,
    /// Why it did not succeed.
    pub error_kind: Option<ErrorKind>,
    /// Attempts it made.
    pub attempts: u32,
    /// Whether a fallback answered it.
    pub fallback: bool,
    /// Its execution time.
    pub latency: Duration,
}

/// Records `call` in its tool's statistics (or those of unregistered tools) and in
/// the history of `inner`, with a fresh sequence number and an end at the executor's
/// start.
pub(crate) fn restore(inner: &Inner, call: PastCall) {
    let sample = Sample {
        status: call.status,
        attempts: call.attempts,
        // The journal keeps no count of hedges: a restored call's count as retries.
        hedges: 0,
        error_kind: call.error_kind,
        // Nor whether the retry budget stopped a retry.
        retry_budget_stop: false,
        // The journal keeps the last failure's kind, not each attempt's.
        idle_timeouts: u32::from(call.error_kind == Some(ErrorKind::IdleTimeout)),
        fallback: call.fallback,
        latency: call.latency,
    };
    match inner.tools.get(&*call.tool_name) {
        Some(tool) => tool.stats.record(&sample),
        None => inner.unregistered.record(&sample),
    }
    inner.history.push(ExecutionRecord {
        sequence: inner.next_sequence(),
        call_id: call.call_id,
        tool_name: call.tool_name,
        status: call.status,
        error_kind: call.error_kind,
        attempts: call.attempts,
        fallback: call.fallback,
        latency: call.latency,
        finished_at: Duration::ZERO,
    });
}
