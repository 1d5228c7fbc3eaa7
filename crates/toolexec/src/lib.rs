//! toolexec: the tool-execution engine.

#![warn(missing_docs)]

mod attempt;
mod batch;
mod blocking;
mod call;
mod call_path;
mod context;
mod envelope;
mod error;
mod executor;
mod history;
pub mod policy;
mod registry;
pub mod sim;
mod stats;
mod status;
mod tool;

pub use batch::{BatchOptions, FailureMode};
pub use blocking::{BlockingError, BlockingExecutor};
pub use call::ToolCall;
pub use context::CallContext;
pub use envelope::{AttemptRecord, CallError, CallStatus, Envelope};
pub use error::{ErrorKind, PolicyError, ToolError};
pub use executor::{Executor, ExecutorBuilder, ExecutorConfig};
pub use history::{ExecutionRecord, History};
pub use policy::{BackoffPolicy, CallPolicy, CircuitPolicy, Fallback, Jitter, PolicyOverrides};
pub use registry::{ToolOptions, ToolRegistry};
pub use sim::{SimConfig, SimTool};
pub use stats::{ExecutionStats, StatsSnapshot};
pub use status::{ExecutionEvent, LiveStatus};
pub use tool::{tool_fn, FnTool, Tool, ToolAnnotations, ToolSpec};
