//! toolexec: the tool-execution engine.

mod context;
mod error;
mod tool;

pub use context::CallContext;
pub use error::{ErrorKind, PolicyError, ToolError};
pub use tool::{tool_fn, FnTool, Tool, ToolAnnotations, ToolSpec};
