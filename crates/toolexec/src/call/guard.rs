//! The recording guard: a call's identity while it runs, its live status and events,
//! and the one record of its end (statistics, history, the `Finished` event). Dropped
//! unfinished, it records the call as cancelled, so nothing is lost.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;
use tracing::Span;

use crate::call::fault::unwinding_from;
use crate::call::progress_events::ProgressEvents;
use crate::call::queued::Queued;
use crate::envelope::millis;
use crate::failure::AttemptFailure;
use crate::history::ExecutionRecord;
use crate::inner::Inner;
use crate::journal::JournalScope;
use crate::registry::RegisteredTool;
use crate::scope::Scope;
use crate::stats::Sample;
use crate::status::{ExecutionEvent, LiveCell};
use crate::trace::{self, Trace};
use crate::{AttemptRecord, CallStatus, Envelope, ErrorKind, ToolCall};

/// The call's identity while it runs; dropping it unfinished (the batch future was
/// dropped before the call ended or even started) records the call as cancelled, so
/// nothing is lost.
pub(crate) struct CallGuard {
    pub(crate) inner: Arc<Inner>,
    pub(super) sequence: u64,
    pub(super) call_id: Arc<str>,
    pub(crate) tool_name: Arc<str>,
    pub(crate) tool: Option<Arc<RegisteredTool>>,
    pub(super) live: Arc<LiveCell>,
    pub(crate) start: Instant,
    pub(super) attempts: u32,
    /// Hedges started, among the attempts.
    pub(super) hedges: u32,
    /// Attempts ended by their idle timeout.
    pub(super) idle_timeouts: u32,
    /// The call's progress events, made for its first attempt that may report some.
    pub(super) progress_events: Option<Arc<ProgressEvents>>,
    /// Whether the circuit breaker let the call through, and so expects its outcome.
    pub(crate) admitted: bool,
    finished: bool,
    journal: Option<Arc<JournalScope>>,
    /// The call's span, if it is traced ([`trace::call`]).
    pub(crate) trace: Trace,
    /// How the last failed attempt failed, for the retry's span event.
    pub(super) last_failure: Option<ErrorKind>,
}

impl CallGuard {
    /// A guard for a queued call, from the moment it runs (or its batch drops it), and
    /// the call's request; the call's span is a child of `parent` (none without one).
    pub(crate) fn new(
        inner: Arc<Inner>,
        queued: Queued,
        parent: Option<&Span>,
    ) -> (Self, ToolCall) {
        let Queued {
            call,
            accepted,
            live,
            start,
            journal,
        } = queued;
        let trace = match parent {
            Some(parent) => {
                let describe = || accepted.tool.as_ref().map(|t| &*t.tool.spec().description);
                trace::call(parent, &accepted.tool_name, &accepted.call_id, describe)
            }
            None => Trace::default(),
        };
        let guard = Self {
            inner,
            sequence: accepted.sequence,
            call_id: accepted.call_id,
            tool_name: accepted.tool_name,
            tool: accepted.tool,
            live,
            start,
            attempts: 0,
            hedges: 0,
            idle_timeouts: 0,
            progress_events: None,
            admitted: false,
            finished: false,
            journal,
            trace,
            last_failure: None,
        };
        (guard, call)
    }

    /// The call's envelope for `outcome`, `elapsed` after it was accepted.
    pub(crate) fn envelope(
        &self,
        outcome: Result<Value, AttemptFailure>,
        attempt_log: Vec<AttemptRecord>,
        elapsed: Duration,
    ) -> Envelope {
        let (status, result, error) = match outcome {
            Ok(value) => (CallStatus::Success, Some(value), None),
            Err(failure) => (
                CallStatus::for_failure(failure.kind),
                None,
                Some(failure.into_call_error()),
            ),
        };
        Envelope {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            status,
            success: status == CallStatus::Success,
            result,
            error,
            attempts: attempt_log.len() as u32,
            execution_time_ms: millis(elapsed),
            fallback: false,
            attempt_log,
        }
    }

    /// Waits while the journal asks calls to ([`JournalScope::pace`]).
    pub(crate) async fn pace_for_journal(&self, deadline: Option<Instant>, scope: &Scope) {
        if let Some(journal) = &self.journal {
            journal.pace(deadline, scope).await;
        }
    }

    /// The circuit let the call through: it starts, for the journal.
    pub(crate) fn admit(&mut self) {
        self.admitted = true;
        if let Some(journal) = &self.journal {
            journal.started(self.sequence);
        }
    }

    /// Records the call's end, `elapsed` after it was accepted (the envelope's time,
    /// passed in so the clock is read once).
    pub(crate) fn finish(&mut self, envelope: &Envelope, circuit: Option<bool>, elapsed: Duration) {
        self.finished = true;
        self.release_circuit(circuit);
        trace::record_call_end(&self.trace, envelope);
        let stopped_by = envelope
            .attempt_log
            .last()
            .and_then(|r| r.retry_stopped_by.clone());
        self.record(
            envelope.status,
            envelope.error_kind(),
            (envelope.attempts, stopped_by.is_some()),
            envelope.fallback,
            elapsed,
        );
        self.inner.board.emit(|| ExecutionEvent::Finished {
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            status: envelope.status,
            success: envelope.success,
            fallback: envelope.fallback,
            attempts: envelope.attempts,
            execution_time_ms: envelope.execution_time_ms,
            error_kind: envelope.error_kind(),
            retry_stopped_by: stopped_by,
        });
        if let Some(journal) = &self.journal {
            journal.ended(self.sequence, envelope);
        }
    }

    /// Tells the circuit breaker how an admitted call went; a call it rejected, or that
    /// never asked, must not touch it (that would free the half-open probe's slot).
    fn release_circuit(&self, outcome: Option<bool>) {
        if let (true, Some(tool)) = (self.admitted, &self.tool) {
            tool.circuit.record(outcome);
        }
    }

    fn record(
        &self,
        status: CallStatus,
        error_kind: Option<ErrorKind>,
        (attempts, retry_budget_stop): (u32, bool),
        fallback: bool,
        latency: Duration,
    ) {
        let sample = Sample {
            status,
            attempts,
            hedges: self.hedges,
            error_kind,
            retry_budget_stop,
            idle_timeouts: self.idle_timeouts,
            fallback,
            latency,
        };
        match &self.tool {
            Some(tool) => tool.stats.record(&sample),
            None => self.inner.unregistered.record(&sample),
        }
        self.inner.history.push(ExecutionRecord {
            sequence: self.sequence,
            call_id: self.call_id.clone(),
            tool_name: self.tool_name.clone(),
            status,
            error_kind,
            attempts,
            fallback,
            latency,
            finished_at: (self.start + latency).saturating_duration_since(self.inner.created),
        });
        self.inner.board.remove(&self.call_id, self.sequence);
    }
}

impl Drop for CallGuard {
    /// A call dropped unfinished was cancelled (its batch went away), unless the engine
    /// failed it: then it is dropped while its own poll unwinds, or after, with its live
    /// status reading `failed` (see `call::fault`).
    fn drop(&mut self) {
        if !self.finished {
            self.release_circuit(None);
            let faulted = unwinding_from(&self.live) || self.live.get().0 == CallStatus::Failed;
            let (status, kind) = if faulted {
                (CallStatus::Failed, ErrorKind::EngineFault)
            } else {
                (CallStatus::Cancelled, ErrorKind::Cancelled)
            };
            let elapsed = self.start.elapsed();
            trace::record_call_dropped(&self.trace, status.as_str(), kind);
            self.record(status, Some(kind), (self.attempts, false), false, elapsed);
            self.journal_unfinished(kind, elapsed);
            self.inner.board.emit(|| ExecutionEvent::Finished {
                call_id: self.call_id.clone(),
                tool_name: self.tool_name.clone(),
                status,
                success: false,
                fallback: false,
                attempts: self.attempts,
                execution_time_ms: millis(elapsed),
                error_kind: Some(kind),
                retry_stopped_by: None,
            });
        }
    }
}

impl CallGuard {
    /// Tells the journal how a call dropped unfinished ended (its envelope, as far as
    /// it can be known: the attempts made, no attempt log).
    fn journal_unfinished(&self, kind: ErrorKind, elapsed: Duration) {
        let Some(journal) = &self.journal else {
            return;
        };
        let failure = match kind {
            ErrorKind::EngineFault => AttemptFailure::engine_fault("the call was dropped"),
            _ => AttemptFailure::cancelled("the call's batch went away before it ended"),
        };
        let mut envelope = self.envelope(Err(failure), Vec::new(), elapsed);
        envelope.attempts = self.attempts;
        journal.ended(self.sequence, &envelope);
    }
}
