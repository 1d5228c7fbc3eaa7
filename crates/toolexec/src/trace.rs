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

use std::time::Duration;

use tracing::field::Empty;
use tracing::Span;

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
/// current where a lone call was made).
pub(crate) fn call_span(
    parent: &Span,
    tool: &str,
    call_id: &str,
    description: Option<&str>,
) -> Span {
    tracing::info_span!(
        target: SPAN_TARGET,
        parent: parent,
        "execute_tool",
        "otel.name" = %format_args!("{CALL_SPAN_NAME} {tool}"),
        "otel.kind" = "internal",
        "gen_ai.operation.name" = "execute_tool",
        "gen_ai.tool.name" = tool,
        "gen_ai.tool.call.id" = call_id,
        "gen_ai.tool.description" = description,
        "toolexec.status" = Empty,
        "toolexec.attempts" = Empty,
        "toolexec.fallback" = Empty,
        "toolexec.retry.stopped_by" = Empty,
        "error.type" = Empty,
        "otel.status_code" = Empty,
        "otel.status_description" = Empty,
    )
}

/// Records how a call ended on its span.
pub(crate) fn record_call_end(span: &Span, envelope: &Envelope) {
    if span.is_disabled() {
        return;
    }
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
pub(crate) fn record_call_dropped(span: &Span, status: &'static str, kind: ErrorKind) {
    if span.is_disabled() {
        return;
    }
    span.record("toolexec.status", status);
    span.record("error.type", kind.as_str());
    span.record("otel.status_code", "ERROR");
}

/// The span of attempt `attempt` of a call (a hedge if `hedge`), a child of the
/// current span: the call's.
pub(crate) fn attempt_span(attempt: u32, hedge: bool) -> Span {
    tracing::info_span!(
        target: SPAN_TARGET,
        "attempt",
        "toolexec.attempt" = attempt,
        "toolexec.hedge" = hedge,
        "toolexec.outcome" = Empty,
        "error.type" = Empty,
        "otel.status_code" = Empty,
    )
}

/// Records how an attempt ended on its span: `None` for a success.
pub(crate) fn record_attempt_end(span: &Span, failure: Option<&AttemptFailure>) {
    if span.is_disabled() {
        return;
    }
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

/// An event on a call's span: attempt `next_attempt` starts after `delay`, because the
/// last attempt failed with `reason`.
pub(crate) fn retry_scheduled(
    span: &Span,
    next_attempt: u32,
    delay: Duration,
    reason: Option<ErrorKind>,
) {
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
pub(crate) fn fallback_answered(span: &Span, reason: Option<ErrorKind>) {
    tracing::event!(
        target: SPAN_TARGET,
        parent: span,
        tracing::Level::INFO,
        toolexec.fallback.reason = reason.map(ErrorKind::as_str),
        "fallback answered"
    );
}
