//! Spans for distributed tracing: one per batch, per call and per attempt, with the
//! backoff between attempts as an event, under the target [`SPAN_TARGET`].
//!
//! Call spans follow OpenTelemetry's semantic conventions for generative-AI tool
//! execution (span `execute_tool {tool}`, `gen_ai.operation.name`, `gen_ai.tool.name`,
//! `gen_ai.tool.call.id`, `gen_ai.tool.description`, `error.type`); toolexec's own
//! attributes are named `toolexec.*` (docs/TELEMETRY.md lists them all). The spans are
//! plain `tracing` spans: with no subscriber, or one whose filter leaves
//! [`SPAN_TARGET`] out, making one costs a check of a cached flag, and recording into
//! it nothing.

mod traced;

use std::time::Duration;

use tracing::field::Empty;
use tracing::Span;

pub(crate) use traced::Trace;

use crate::envelope::millis;
use crate::failure::AttemptFailure;
use crate::{Envelope, ErrorKind};

/// The target of the engine's spans and span events: a filter enables or silences
/// them by this name (`RUST_LOG=toolexec::trace=info` logs them; the OpenTelemetry
/// export of `toolexec-telemetry` enables them on its own).
pub const SPAN_TARGET: &str = "toolexec::trace";

/// The name of a call's span before the tool's name is added
/// (`execute_tool {tool}` in the exported trace).
pub const CALL_SPAN_NAME: &str = "execute_tool";

/// Whether any subscriber may take spans at all: one load of `tracing`'s global level,
/// which is `OFF` while no subscriber is installed. Checked first, so that without one
/// a call pays for nothing else.
#[inline]
fn maybe_on() -> bool {
    tracing::level_enabled!(tracing::Level::INFO)
}

/// The span a lone call's span is a child of: the current one, looked up only when a
/// subscriber may take spans at all.
#[inline]
pub(crate) fn current_parent() -> Span {
    if maybe_on() {
        Span::current()
    } else {
        Span::none()
    }
}

/// The span of a batch of `calls` calls, a child of the current span; `mode` names
/// its failure mode (called only when the span is recorded).
pub(crate) fn batch_span(id: Option<&str>, calls: usize, mode: impl FnOnce() -> String) -> Span {
    let span = tracing::info_span!(
        target: SPAN_TARGET,
        "execute_batch",
        "toolexec.batch.id" = id,
        "toolexec.batch.calls" = calls as u64,
        "toolexec.batch.failure_mode" = Empty,
    );
    if !span.is_disabled() {
        span.record("toolexec.batch.failure_mode", mode());
    }
    span
}

/// The span of one call of `tool`, a child of `parent` (its batch's span, or the span
/// current where a lone call was made); `describe` gives the tool's description, asked
/// only when the span is on.
#[inline]
pub(crate) fn call<'a>(
    parent: &Span,
    tool: &str,
    call_id: &str,
    describe: impl FnOnce() -> Option<&'a str>,
) -> Trace {
    if !maybe_on() {
        return Trace::default();
    }
    let span = tracing::info_span!(
        target: SPAN_TARGET,
        parent: parent,
        "execute_tool",
        "otel.name" = %format_args!("{CALL_SPAN_NAME} {tool}"),
        "otel.kind" = "internal",
        "gen_ai.operation.name" = "execute_tool",
        "gen_ai.tool.name" = tool,
        "gen_ai.tool.call.id" = call_id,
        "gen_ai.tool.description" = Empty,
        "toolexec.status" = Empty,
        "toolexec.attempts" = Empty,
        "toolexec.fallback" = Empty,
        "toolexec.retry.stopped_by" = Empty,
        "error.type" = Empty,
        "otel.status_code" = Empty,
        "otel.status_description" = Empty,
    );
    if !span.is_disabled() {
        span.record("gen_ai.tool.description", describe());
    }
    Trace::new(span)
}

/// Records how a call ended on its span.
#[inline]
pub(crate) fn record_call_end(trace: &Trace, envelope: &Envelope) {
    let Some(span) = trace.span() else {
        return;
    };
    span.record("toolexec.status", envelope.status.as_str());
    span.record("toolexec.attempts", envelope.attempts);
    span.record("toolexec.fallback", envelope.fallback);
    let stopped_by = envelope
        .attempt_log
        .last()
        .and_then(|r| r.retry_stopped_by.as_deref());
    span.record("toolexec.retry.stopped_by", stopped_by);
    match (&envelope.error, envelope.success) {
        (Some(error), false) => {
            span.record("error.type", error.kind.as_str());
            span.record("otel.status_code", "ERROR");
            span.record("otel.status_description", error.message.as_str());
        }
        _ => {
            span.record("otel.status_code", "OK");
        }
    }
}

/// Records on its span that a call ended unfinished: cancelled, or failed by the engine.
#[inline]
pub(crate) fn record_call_dropped(trace: &Trace, status: &'static str, kind: ErrorKind) {
    let Some(span) = trace.span() else {
        return;
    };
    span.record("toolexec.status", status);
    span.record("error.type", kind.as_str());
    span.record("otel.status_code", "ERROR");
}

/// The span of attempt `attempt` of a call (a hedge if `hedge`), a child of the
/// current span: the call's.
#[inline]
pub(crate) fn attempt(attempt: u32, hedge: bool) -> Trace {
    if !maybe_on() {
        return Trace::default();
    }
    Trace::new(tracing::info_span!(
        target: SPAN_TARGET,
        "attempt",
        "toolexec.attempt" = attempt,
        "toolexec.hedge" = hedge,
        "toolexec.outcome" = Empty,
        "error.type" = Empty,
        "otel.status_code" = Empty,
    ))
}

/// Records how an attempt ended on its span: `None` for a success.
#[inline]
pub(crate) fn record_attempt_end(trace: &Trace, failure: Option<&AttemptFailure>) {
    let Some(span) = trace.span() else {
        return;
    };
    match failure {
        None => {
            span.record("toolexec.outcome", "success");
            span.record("otel.status_code", "OK");
        }
        Some(failure) => {
            span.record("toolexec.outcome", failure.kind.as_str());
            span.record("error.type", failure.kind.as_str());
            span.record("otel.status_code", "ERROR");
        }
    }
}

/// Records `superseded` as the outcome of an attempt whose future is dropped before it
/// ends (a hedge that lost: the call ended with another attempt's answer), unless
/// [`ended`](Self::ended) says it ran to its end.
#[derive(Debug)]
pub(crate) struct SupersededUnlessEnded(Option<Span>);

impl SupersededUnlessEnded {
    /// The guard of the attempt traced by `trace`.
    #[inline]
    pub(crate) fn new(trace: &Trace) -> Self {
        Self(trace.span().cloned())
    }

    /// The attempt ran to its end: its outcome is recorded with the rest of its end.
    #[inline]
    pub(crate) fn ended(mut self) {
        self.0 = None;
    }
}

impl Drop for SupersededUnlessEnded {
    fn drop(&mut self) {
        if let Some(span) = self.0.take() {
            span.record("toolexec.outcome", "superseded");
        }
    }
}

/// An event on a call's span: attempt `next_attempt` starts after `delay`, because the
/// last attempt failed with `reason`.
#[inline]
pub(crate) fn retry_scheduled(
    trace: &Trace,
    next_attempt: u32,
    delay: Duration,
    reason: Option<ErrorKind>,
) {
    let Some(span) = trace.span() else {
        return;
    };
    tracing::event!(
        target: SPAN_TARGET,
        parent: span,
        tracing::Level::INFO,
        toolexec.retry.next_attempt = next_attempt,
        toolexec.retry.backoff_ms = millis(delay),
        toolexec.retry.reason = reason.map(ErrorKind::as_str),
        "retry scheduled"
    );
}

/// An event on a call's span: its fallback answered for it.
#[inline]
pub(crate) fn fallback_answered(trace: &Trace, reason: Option<ErrorKind>) {
    let Some(span) = trace.span() else {
        return;
    };
    tracing::event!(
        target: SPAN_TARGET,
        parent: span,
        tracing::Level::INFO,
        toolexec.fallback.reason = reason.map(ErrorKind::as_str),
        "fallback answered"
    );
}
