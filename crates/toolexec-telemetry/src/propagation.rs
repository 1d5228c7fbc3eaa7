//! W3C trace context across process boundaries: the `traceparent` (and `tracestate`)
//! of the current span for the requests tools make, and an incoming `traceparent` as
//! the parent of a span. Without an exported trace both do nothing.

use std::collections::HashMap;

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The `traceparent` header's name.
pub const TRACEPARENT: &str = "traceparent";
/// The `tracestate` header's name.
pub const TRACESTATE: &str = "tracestate";

/// The W3C trace-context fields (`traceparent`, and `tracestate` when there is one) of
/// the current span, to send with a request a tool makes: as HTTP headers, in an MCP
/// request's `_meta`, in a Lambda client context. Empty when the current span is not
/// exported (telemetry off, or the trace not sampled).
pub fn current_trace_context() -> Vec<(&'static str, String)> {
    let context = Span::current().context();
    let mut carrier: HashMap<String, String> = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    [TRACEPARENT, TRACESTATE]
        .into_iter()
        .filter_map(|name| carrier.remove(name).map(|value| (name, value)))
        .collect()
}

/// Makes the remote span that `traceparent` (with `tracestate`) names the parent of
/// `span`, which must not have been entered yet. Returns whether it did: a missing or
/// malformed `traceparent`, or telemetry off, leaves `span` as it was.
pub fn set_remote_parent(span: &Span, traceparent: Option<&str>, tracestate: Option<&str>) -> bool {
    let Some(traceparent) = traceparent else {
        return false;
    };
    let carrier = Fields {
        traceparent,
        tracestate,
    };
    let context = TraceContextPropagator::new().extract(&carrier);
    if !context.span().span_context().is_valid() {
        return false;
    }
    span.set_parent(context).is_ok()
}

/// The two trace-context fields as an OpenTelemetry carrier.
struct Fields<'a> {
    traceparent: &'a str,
    tracestate: Option<&'a str>,
}

impl Extractor for Fields<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            TRACEPARENT => Some(self.traceparent),
            TRACESTATE => self.tracestate,
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec![TRACEPARENT, TRACESTATE]
    }
}
