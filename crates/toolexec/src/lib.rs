//! toolexec: the tool-execution engine for AI agents.
//!
//! An agent asks for several tools at once; the [`Executor`] runs them in parallel
//! under a concurrency limit, bounds every attempt, call and batch in time, retries
//! transient failures with exponential backoff and jitter, stops calling a broken tool
//! (circuit breaker), answers with a [`Fallback`] when a call cannot succeed, and
//! records status, attempts and latency as [`History`] and statistics. Every call
//! yields exactly one [`Envelope`], whatever happens.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use serde_json::json;
//! use toolexec::{BatchOptions, Executor, SimConfig, SimTool, ToolCall};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A tool that takes 20 ms and fails its first attempt with a transient error.
//! let flaky = SimTool::new("flaky", SimConfig {
//!     latency: Duration::from_millis(20),
//!     fail_first: 1,
//!     ..SimConfig::default()
//! });
//! let executor = Executor::builder()
//!     .max_concurrency(10)
//!     .tool(Arc::new(flaky))
//!     .build()?;
//!
//! let calls = (0..3)
//!     .map(|i| ToolCall::new("flaky", json!({})).with_id(format!("call-{i}")))
//!     .collect();
//! let envelopes = executor
//!     .execute_batch(calls, BatchOptions::default().with_deadline(Duration::from_secs(10)))
//!     .await;
//!
//! for envelope in &envelopes {
//!     assert!(envelope.success);
//!     assert_eq!(envelope.attempts, 2); // retried once, after a jittered backoff
//! }
//! let stats = executor.stats();
//! assert_eq!(stats.overall.total, 3);
//! assert_eq!(stats.overall.retries, 3);
//! # Ok(())
//! # }
//! ```
//!
//! The call path, outside in: batch deadline > call deadline > circuit check >
//! concurrency permit > retry loop { attempt timeout and idle timeout > tool } > fallback > record.
//! A permit is held only while an attempt runs, never during backoff. All timing goes
//! through `tokio::time`, so tests run on paused time.

#![warn(missing_docs)]

mod batch;
mod batch_stream;
mod blocking;
mod call;
mod chaos;
mod context;
mod envelope;
mod error;
mod executor;
mod executor_config;
mod failure;
mod history;
mod inner;
mod input_schema;
mod journal;
pub mod policy;
mod progress;
mod registry;
mod request;
mod restore;
mod scope;
pub mod sim;
mod stats;
mod status;
mod tool;
mod tool_call;
mod trace;

pub use batch::{BatchFeed, BatchOptions, FailureMode, FeedError};
pub use batch_stream::BatchStream;
pub use blocking::{BlockingError, BlockingExecutor};
pub use chaos::{ChaosConfig, ChaosTool};
pub use context::CallContext;
pub use envelope::{AttemptRecord, CallError, CallStatus, Envelope};
pub use error::{ErrorKind, PolicyError, ToolError};
pub use executor::{Executor, ExecutorBuilder};
pub use executor_config::ExecutorConfig;
pub use failure::panic_message;
pub use history::{ExecutionRecord, History};
pub use journal::{CallId, Journal, JournalBatch, JOURNAL_PACE_MAX};
pub use policy::{
    BackoffPolicy, BulkheadPolicy, CallPolicy, CircuitPolicy, Fallback, HedgeDelay, HedgePolicy,
    Jitter, KeyLimit, PolicyOverrides, RateLimitPolicy, RetryBudget, RetryBudgetPolicy,
};
pub use progress::Progress;
pub use registry::{ToolOptions, ToolRegistry};
pub use restore::PastCall;
pub use sim::{SimConfig, SimTool};
pub use stats::{ExecutionStats, StatsSnapshot};
pub use status::{ExecutionEvent, LiveStatus};
pub use tool::{tool_fn, FnTool, Tool, ToolAnnotations, ToolSpec};
pub use tool_call::{ToolCall, MAX_NAME_BYTES};
pub use trace::{CALL_SPAN_NAME, SPAN_TARGET};
