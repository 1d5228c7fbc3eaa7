//! [`app`]: every route with its layers, as one axum `Router`.

use std::any::Any;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::{self, ApiError};
use crate::state::AppState;
use crate::{auth, request_trace, routes};

/// The whole service: the API, `/metrics`, `/healthz`, `/openapi.json` and the
/// dashboard, with the token check, the body size limit and JSON errors everywhere,
/// and every request traced and logged ([`request_trace`]).
pub fn app(state: AppState) -> Router {
    let token_check = axum::middleware::from_fn_with_state(state.clone(), auth::require_token);
    let (router, document) =
        routes::router_with(routes::protected().route_layer(token_check)).split_for_parts();
    let document = serde_json::to_string(&document).unwrap_or_else(|_| "{}".into());
    router
        .route("/", get(routes::dashboard::dashboard))
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
        )
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.limits().max_body_bytes))
        .layer(axum::middleware::from_fn(error::ensure_json_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(request_trace::trace_request))
        .with_state(state)
}

fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::Internal("a handler panicked".into()).into_response()
}
