//! The OpenTelemetry pipeline: spans and the tool-duration metric exported over
//! OTLP/HTTP (protobuf) by a batch processor and a periodic reader, each on a thread
//! of its own, so exporting never runs on a call's path.

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{MetricExporter, Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;

use crate::settings::Export;
use crate::tool_duration::{ToolDurationLayer, BOUNDARIES, TOOL_DURATION_METRIC};
use crate::TelemetryError;

/// The instrumentation scope's name on every span and metric.
pub(crate) const SCOPE: &str = "toolexec";

/// The running pipeline: its providers (to flush and shut down) and the tracer.
pub(crate) struct Pipeline {
    pub(crate) tracer_provider: SdkTracerProvider,
    pub(crate) meter_provider: SdkMeterProvider,
    pub(crate) tracer: SdkTracer,
    pub(crate) tool_duration: ToolDurationLayer,
}

/// Builds the pipeline `export` describes.
pub(crate) fn pipeline(export: &Export) -> Result<Pipeline, TelemetryError> {
    let resource = match &export.service_name {
        Some(name) => Resource::builder().with_service_name(name.clone()).build(),
        None => Resource::builder().build(),
    };
    let mut spans = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary);
    let mut metrics = MetricExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary);
    if let Some(base) = &export.endpoint {
        let base = base.trim_end_matches('/');
        spans = spans.with_endpoint(format!("{base}/v1/traces"));
        metrics = metrics.with_endpoint(format!("{base}/v1/metrics"));
    }
    let spans = spans.build().map_err(TelemetryError::exporter)?;
    let metrics = metrics.build().map_err(TelemetryError::exporter)?;

    let mut tracer_provider = SdkTracerProvider::builder()
        .with_batch_exporter(spans)
        .with_resource(resource.clone());
    if let Some(ratio) = export.sample_ratio {
        let root = Sampler::TraceIdRatioBased(ratio);
        tracer_provider = tracer_provider.with_sampler(Sampler::ParentBased(Box::new(root)));
    }
    let tracer_provider = tracer_provider.build();
    let tracer = tracer_provider.tracer(SCOPE);

    let meter_provider = SdkMeterProvider::builder()
        .with_periodic_exporter(metrics)
        .with_resource(resource)
        .build();
    let histogram = meter_provider
        .meter(SCOPE)
        .f64_histogram(TOOL_DURATION_METRIC)
        .with_unit("s")
        .with_description("Duration of tool execution operations")
        .with_boundaries(BOUNDARIES.to_vec())
        .build();
    Ok(Pipeline {
        tracer_provider,
        meter_provider,
        tracer,
        tool_duration: ToolDurationLayer { histogram },
    })
}
