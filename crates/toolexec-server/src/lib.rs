//! toolexec-server: the HTTP/JSON API, event stream, Prometheus metrics and live
//! dashboard of a [`toolexec::Executor`].
//!
//! [`app`] builds the whole service as an axum `Router`, so it can be tested without a
//! socket; [`serve`] puts it on an address, refusing a non-loopback address without a
//! bearer token.
//!
//! ```
//! use std::sync::Arc;
//!
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use tower::ServiceExt;
//! use toolexec::{Executor, SimConfig, SimTool};
//! use toolexec_server::{app, AppState};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let executor = Executor::builder()
//!     .tool(Arc::new(SimTool::new("echo", SimConfig::default())))
//!     .build()?;
//! let state = AppState::builder(executor).build()?;
//!
//! let request = Request::post("/v1/batches")
//!     .header("content-type", "application/json")
//!     .body(Body::from(r#"{"calls": [{"tool": "echo", "call_id": "a"}]}"#))?;
//! let response = app(state).oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! # Ok(())
//! # }
//! ```
//!
//! # Serving
//!
//! A binary builds the state once (inside its runtime), plugs in the assistant, and
//! serves until its shutdown signal (Ctrl-C, say):
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use futures::FutureExt;
//! use toolexec_server::{AppState, Asker};
//!
//! # async fn run(executor: toolexec::Executor) -> Result<(), Box<dyn std::error::Error>> {
//! let asker: Asker = Arc::new(|question: String| {
//!     async move { Ok(serde_json::json!({"answer": format!("no idea about {question}")})) }
//!         .boxed()
//! });
//! let state = AppState::builder(executor)
//!     .api_token_from_env() // TOOLEXEC_API_TOKEN; needed beyond loopback
//!     .asker(asker)
//!     .build()?;
//! let shutdown = std::future::pending::<()>(); // e.g. tokio::signal::ctrl_c()
//! toolexec_server::serve_with_shutdown("127.0.0.1:8080".parse()?, state, shutdown).await?;
//! # Ok(())
//! # }
//! ```
//!
//! When the shutdown future completes, the server stops gracefully: no new connection,
//! new work refused with 503 `shutting_down`, running batches given
//! [`Limits::shutdown_grace`] to finish and then cancelled, open requests answered (see
//! [`serve_listener`] and [`drain`]).
//!
//! Routes: `POST /v1/batches` (`?wait=false` answers `202` at once),
//! `GET /v1/batches/{id}`, `GET /v1/batches/{id}/stream` (the envelopes as calls end,
//! SSE or NDJSON), `GET /v1/calls/{call_id}`, `GET /v1/events` (SSE),
//! `GET /v1/tools`, `GET /v1/stats`, `POST /v1/ask`, `GET /metrics`, `GET /healthz`,
//! `GET /openapi.json`, and the dashboard at `/`. With a token set, the `/v1` routes and
//! `/metrics` need `Authorization: Bearer <token>`; `/`, `/healthz` and `/openapi.json`
//! are public. Every failure is `{"error": {"code", "message", "field"?}}`.

#![forbid(unsafe_code)]

mod app;
mod auth;
mod batch_feed;
mod batch_store;
mod byte_size;
mod drain;
mod error;
mod json;
mod limits;
mod monitor;
mod openapi;
mod request_trace;
mod routes;
mod serve;
mod server_error;
mod state;
mod token;
mod watchlist;

pub use app::app;
pub use drain::{drain, Drained};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use json::ApiJson;
pub use limits::Limits;
pub use monitor::FailureRecord;
pub use request_trace::REQUEST_TARGET;
pub use routes::ask::{AskRequest, AskResponse};
pub use routes::batch_stream::{StreamEnvelope, StreamEvent, StreamSummary};
pub use routes::batch_view::{BatchStatus, BatchView, CallProgress};
pub use routes::batches::{BatchQuery, BatchRequest, FailureModeRequest};
pub use routes::calls::CallView;
pub use routes::journaled::{BatchList, HistoryPage, HistoryParams, ListQuery, MAX_PAGE};
pub use routes::openapi;
pub use routes::ops::Health;
pub use routes::tools::{StatsView, ToolsView};
pub use serve::{check_bind, serve, serve_listener, serve_with_shutdown};
pub use server_error::ServerError;
pub use state::{AppState, AppStateBuilder, Asker};
pub use token::TOKEN_ENV;
