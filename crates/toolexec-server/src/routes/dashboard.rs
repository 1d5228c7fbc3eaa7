//! `GET /`: the dashboard, one static page embedded in the binary.
//!
//! The page holds no data: it reads `/v1/events` and `/v1/stats` with the token the
//! user gives it, so it is served without one.

use axum::http::header;
use axum::response::{Html, IntoResponse};

const PAGE: &str = include_str!("../../assets/dashboard.html");

/// The dashboard page.
pub(crate) async fn dashboard() -> impl IntoResponse {
    (
        [
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                 connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
            ),
        ],
        Html(PAGE),
    )
}
