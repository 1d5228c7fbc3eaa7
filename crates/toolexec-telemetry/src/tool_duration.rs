//! The `gen_ai.execute_tool.duration` histogram: the time from a call's span opening
//! to its closing, in seconds, by tool and error type, as OpenTelemetry's GenAI
//! conventions define it. Measured from the engine's call spans, so every executor in
//! the process is counted, with no hook in the engine.

use std::time::Instant;

use opentelemetry::metrics::Histogram;
use opentelemetry::KeyValue;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The metric's name.
pub const TOOL_DURATION_METRIC: &str = "gen_ai.execute_tool.duration";

/// Bucket boundaries in seconds, as the GenAI conventions advise for durations.
pub(crate) const BOUNDARIES: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/// Records a call span's duration into the histogram when the span closes.
pub(crate) struct ToolDurationLayer {
    pub(crate) histogram: Histogram<f64>,
}

/// What the layer keeps in a call span while it is open.
struct CallTiming {
    opened: Instant,
    tool: String,
    error_type: Option<String>,
}

impl Visit for CallTiming {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "gen_ai.tool.name" => self.tool = value.to_owned(),
            "error.type" => self.error_type = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl<S> Layer<S> for ToolDurationLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != toolexec::CALL_SPAN_NAME {
            return;
        }
        let mut timing = CallTiming {
            opened: Instant::now(),
            tool: String::new(),
            error_type: None,
        };
        attrs.record(&mut timing);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(timing);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(timing) = span.extensions_mut().get_mut::<CallTiming>() {
                values.record(timing);
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let Some(timing) = span.extensions_mut().remove::<CallTiming>() else {
            return;
        };
        let mut attributes = vec![
            KeyValue::new("gen_ai.operation.name", "execute_tool"),
            KeyValue::new("gen_ai.tool.name", timing.tool),
        ];
        if let Some(error_type) = timing.error_type {
            attributes.push(KeyValue::new("error.type", error_type));
        }
        self.histogram
            .record(timing.opened.elapsed().as_secs_f64(), &attributes);
    }
}
