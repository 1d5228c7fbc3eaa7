//! Logs, traces and metrics for toolexec, the way operators already work.
//!
//! [`init`] installs one `tracing` subscriber for the process:
//!
//! - **Logs** to stderr, as text or JSON lines ([`LogFormat`]), filtered by `RUST_LOG`
//!   (default [`DEFAULT_LOG_FILTER`]).
//! - **Traces**, when the export is on ([`ExportSettings`]): the engine's batch, call
//!   and attempt spans (target [`toolexec::SPAN_TARGET`]) and the server's request
//!   spans, exported over OTLP/HTTP, with the W3C trace context as the propagator
//!   ([`propagation`]).
//! - **The `gen_ai.execute_tool.duration` metric**, exported beside them.
//!
//! The export is off by default; the standard `OTEL_*` variables or a `[telemetry]`
//! table turn it on. Exporting runs on threads of its own; [`Telemetry::shutdown`]
//! (or dropping the handle) flushes what is still queued. docs/TELEMETRY.md has the
//! span and attribute reference.

mod export;
pub mod propagation;
mod settings;
mod tool_duration;

use tracing::Level;
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

pub use settings::{
    check_endpoint, check_sample_ratio, check_service_name, ExportSettings, LogFormat,
    DEFAULT_LOG_FILTER,
};
pub use tool_duration::TOOL_DURATION_METRIC;

/// Why telemetry could not start.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `RUST_LOG` is not a valid filter.
    #[error("RUST_LOG: {0}")]
    Filter(String),
    /// The OTLP exporter could not be built (a bad endpoint, for example).
    #[error("OpenTelemetry export: {0}")]
    Exporter(String),
    /// A subscriber was installed before.
    #[error("a log subscriber is already installed: {0}")]
    AlreadyInstalled(String),
}

impl TelemetryError {
    fn exporter(error: impl std::fmt::Display) -> Self {
        Self::Exporter(error.to_string())
    }
}

/// The process's telemetry while it runs. Dropping it (or [`shutdown`](Self::shutdown))
/// flushes the spans and metrics still queued and stops the exporters.
#[derive(Debug, Default)]
pub struct Telemetry {
    providers: Option<(
        opentelemetry_sdk::trace::SdkTracerProvider,
        opentelemetry_sdk::metrics::SdkMeterProvider,
    )>,
}

impl Telemetry {
    /// Whether spans and metrics are exported.
    pub fn exporting(&self) -> bool {
        self.providers.is_some()
    }

    /// Flushes what is queued and stops exporting; the first failure is returned.
    /// Call it outside an async runtime (the exporters block while they flush).
    pub fn shutdown(mut self) -> Result<(), TelemetryError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), TelemetryError> {
        let Some((traces, metrics)) = self.providers.take() else {
            return Ok(());
        };
        let traced = traces.shutdown().map_err(TelemetryError::exporter);
        let measured = metrics.shutdown().map_err(TelemetryError::exporter);
        traced.and(measured)
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Err(error) = self.stop() {
            eprintln!("toolexec: {error}");
        }
    }
}

/// Installs the process's subscriber: logs in `format` to stderr, filtered by
/// `RUST_LOG` (else [`DEFAULT_LOG_FILTER`]), and the OpenTelemetry export when
/// `export` and the environment turn it on. Call it once, before the async runtime
/// starts.
pub fn init(format: LogFormat, export: &ExportSettings) -> Result<Telemetry, TelemetryError> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => {
            EnvFilter::try_new(&text).map_err(|e| TelemetryError::Filter(e.to_string()))?
        }
        _ => EnvFilter::new(DEFAULT_LOG_FILTER),
    };
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = match format {
        LogFormat::Text => logs.with_ansi(false).boxed(),
        LogFormat::Json => logs.json().flatten_event(true).boxed(),
    }
    .with_filter(filter);

    let pipeline = match export.resolve(|name| std::env::var(name).ok()) {
        Some(resolved) => Some(export::pipeline(&resolved)?),
        None => None,
    };
    let mut telemetry = Telemetry::default();
    let (traces, metric) = match pipeline {
        Some(pipeline) => {
            let traces = tracing_opentelemetry::layer()
                .with_tracer(pipeline.tracer)
                .with_location(false)
                .with_threads(false)
                .with_filter(exported_targets());
            let metric = pipeline
                .tool_duration
                .with_filter(Targets::new().with_target(toolexec::SPAN_TARGET, Level::INFO));
            telemetry.providers = Some((pipeline.tracer_provider, pipeline.meter_provider));
            (Some(traces), Some(metric))
        }
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .with(metric)
        .try_init()
        .map_err(|e| TelemetryError::AlreadyInstalled(e.to_string()))?;
    Ok(telemetry)
}

/// What the trace export takes: toolexec's spans (the engine's and the server's) and
/// their events, from `info` up.
fn exported_targets() -> Targets {
    Targets::new().with_target("toolexec", Level::INFO)
}
