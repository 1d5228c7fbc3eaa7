//! Every request as a span and a log line: a server span (`otel.kind = server`) named
//! by its method and route, whose parent is the caller's span when the request carries
//! a W3C `traceparent` (so a batch started by the request joins the caller's trace),
//! and one `info` line when the response is ready: method, route, status and latency.
//!
//! Only the route's pattern is logged (`/v1/batches/{id}`), never the path, query,
//! headers or body: ids, tokens and tool inputs stay out of the logs.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use toolexec_telemetry::propagation::{set_remote_parent, TRACEPARENT, TRACESTATE};
use tracing::field::Empty;
use tracing::{Instrument, Span};

/// The target of the request spans and access lines (`RUST_LOG=toolexec_server::request=warn`
/// silences the access lines).
pub const REQUEST_TARGET: &str = "toolexec_server::request";

/// Runs the request inside its span and logs it once the response is ready.
pub(crate) async fn trace_request(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-".to_owned(), |path| path.as_str().to_owned());
    let span = request_span(method.as_str(), &route, request.headers());
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.record("http.response.status_code", status);
    if response.status().is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    tracing::info!(
        target: REQUEST_TARGET,
        parent: None,
        method = method.as_str(),
        route = route.as_str(),
        status,
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// The request's span, a child of the caller's span when `headers` carry one.
fn request_span(method: &str, route: &str, headers: &HeaderMap) -> Span {
    let span = tracing::info_span!(
        target: REQUEST_TARGET,
        "request",
        "otel.name" = %format_args!("{method} {route}"),
        "otel.kind" = "server",
        "http.request.method" = method,
        "http.route" = route,
        "http.response.status_code" = Empty,
        "otel.status_code" = Empty,
    );
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    set_remote_parent(&span, header(TRACEPARENT), header(TRACESTATE));
    span
}
