//! An OTLP/HTTP receiver on 127.0.0.1: it accepts what an OpenTelemetry exporter posts
//! to `/v1/traces` and `/v1/metrics` (protobuf, decoded with the `opentelemetry-proto`
//! types, as a collector would) and keeps it for the test to read.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use prost::Message;

/// A span as the receiver got it, with its ids in hex and its attributes as text.
#[derive(Debug, Clone)]
pub struct ReceivedSpan {
    /// The span's name.
    pub name: String,
    /// The trace id, 32 hex digits.
    pub trace_id: String,
    /// The span id, 16 hex digits.
    pub span_id: String,
    /// The parent's span id, empty for a root span.
    pub parent_span_id: String,
    /// The span kind (1 internal, 2 server, 3 client...).
    pub kind: i32,
    /// The attributes, each value as text.
    pub attributes: HashMap<String, String>,
    /// The events: name and attributes.
    pub events: Vec<(String, HashMap<String, String>)>,
    /// The status code (0 unset, 1 ok, 2 error).
    pub status_code: i32,
    /// The `service.name` of the resource that sent it.
    pub service_name: String,
}

impl ReceivedSpan {
    /// The attribute `key`, if set.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }
}

/// One data point of a histogram: its attributes and count.
#[derive(Debug, Clone)]
pub struct HistogramPoint {
    /// The metric's name.
    pub metric: String,
    /// The metric's unit.
    pub unit: String,
    /// The point's attributes as text.
    pub attributes: HashMap<String, String>,
    /// How many values it holds.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
}

#[derive(Debug, Default)]
struct Received {
    spans: Vec<ReceivedSpan>,
    histograms: Vec<HistogramPoint>,
}

/// The receiver: serves until dropped (its runtime runs on a thread of its own).
#[derive(Debug)]
pub struct OtlpReceiver {
    /// Where it listens.
    pub addr: SocketAddr,
    received: Arc<Mutex<Received>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl OtlpReceiver {
    /// Starts a receiver on a free port of 127.0.0.1.
    pub fn start() -> OtlpReceiver {
        Self::start_on(0)
    }

    /// Starts a receiver on `port` of 127.0.0.1 (0: a free one).
    pub fn start_on(port: u16) -> OtlpReceiver {
        let received = Arc::new(Mutex::new(Received::default()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound, addr) = std::sync::mpsc::channel();
        let state = received.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the receiver");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                    .await
                    .expect("the receiver binds");
                let _ = bound.send(listener.local_addr().expect("an address"));
                let app = Router::new()
                    .route("/v1/traces", post(traces))
                    .route("/v1/metrics", post(metrics))
                    .with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        let addr = addr.recv().expect("the receiver started");
        OtlpReceiver {
            addr,
            received,
            _stop: stop,
        }
    }

    /// The base URL to give an exporter (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.lock().spans.clone()
    }

    /// How many spans were received so far.
    pub fn span_count(&self) -> usize {
        self.lock().spans.len()
    }

    /// Every histogram point received so far.
    pub fn histograms(&self) -> Vec<HistogramPoint> {
        self.lock().histograms.clone()
    }

    /// Waits up to `limit` until `ready` holds for the spans received, and returns them.
    pub fn spans_when(
        &self,
        limit: Duration,
        ready: impl Fn(&[ReceivedSpan]) -> bool,
    ) -> Vec<ReceivedSpan> {
        let started = Instant::now();
        loop {
            let spans = self.spans();
            if ready(&spans) || started.elapsed() > limit {
                return spans;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Received> {
        self.received.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type Shared = Arc<Mutex<Received>>;

async fn traces(State(state): State<Shared>, body: Bytes) -> impl IntoResponse {
    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
        return (StatusCode::BAD_REQUEST, Vec::new()).into_response();
    };
    let mut spans = Vec::new();
    for resource in request.resource_spans {
        let service = resource
            .resource
            .map(|r| attributes(&r.attributes))
            .and_then(|a| a.get("service.name").cloned())
            .unwrap_or_default();
        for scope in resource.scope_spans {
            for span in scope.spans {
                spans.push(ReceivedSpan {
                    name: span.name,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    kind: span.kind,
                    attributes: attributes(&span.attributes),
                    events: span
                        .events
                        .into_iter()
                        .map(|e| (e.name, attributes(&e.attributes)))
                        .collect(),
                    status_code: span.status.map_or(0, |s| s.code),
                    service_name: service.clone(),
                });
            }
        }
    }
    lock(&state).spans.extend(spans);
    protobuf(ExportTraceServiceResponse::default().encode_to_vec())
}

async fn metrics(State(state): State<Shared>, body: Bytes) -> impl IntoResponse {
    let Ok(request) = ExportMetricsServiceRequest::decode(body) else {
        return (StatusCode::BAD_REQUEST, Vec::new()).into_response();
    };
    let mut points = Vec::new();
    for resource in request.resource_metrics {
        for scope in resource.scope_metrics {
            for metric in scope.metrics {
                let Some(Data::Histogram(histogram)) = metric.data else {
                    continue;
                };
                for point in histogram.data_points {
                    points.push(HistogramPoint {
                        metric: metric.name.clone(),
                        unit: metric.unit.clone(),
                        attributes: attributes(&point.attributes),
                        count: point.count,
                        sum: point.sum.unwrap_or_default(),
                    });
                }
            }
        }
    }
    lock(&state).histograms.extend(points);
    protobuf(ExportMetricsServiceResponse::default().encode_to_vec())
}

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, Received> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn protobuf(body: Vec<u8>) -> axum::response::Response {
    ([(header::CONTENT_TYPE, "application/x-protobuf")], body).into_response()
}

fn attributes(pairs: &[KeyValue]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|kv| (kv.key.clone(), text(kv.value.as_ref())))
        .collect()
}

fn text(value: Option<&AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::BoolValue(b)) => b.to_string(),
        Some(Value::IntValue(i)) => i.to_string(),
        Some(Value::DoubleValue(d)) => d.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
