//! The blocking mirror of [`Executor`] for synchronous callers.

use tokio::runtime::{Handle, Runtime};

use crate::{BatchOptions, Envelope, ExecutionStats, Executor, StatsSnapshot, ToolCall};

/// Why a blocking call could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlockingError {
    /// Called from inside an async runtime, where blocking would stall it; use
    /// [`Executor`] there.
    #[error("BlockingExecutor called inside an async runtime; use the async Executor there")]
    InsideRuntime,
    /// The runtime behind the blocking API could not start.
    #[error("cannot start the blocking executor's runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Runs calls for synchronous code, on a runtime of its own. Same method names as
/// [`Executor`]; each blocks until the envelopes are ready.
#[derive(Debug)]
pub struct BlockingExecutor {
    executor: Executor,
    runtime: Option<Runtime>,
}

impl BlockingExecutor {
    /// Wraps an executor, starting a multi-threaded runtime for it.
    pub fn new(executor: Executor) -> Result<Self, BlockingError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("toolexec-blocking")
            .build()?;
        Ok(Self {
            executor,
            runtime: Some(runtime),
        })
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> Result<F::Output, BlockingError> {
        if Handle::try_current().is_ok() {
            return Err(BlockingError::InsideRuntime);
        }
        match &self.runtime {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(BlockingError::InsideRuntime),
        }
    }

    /// Runs one call; see [`Executor::execute`].
    pub fn execute(&self, call: ToolCall) -> Result<Envelope, BlockingError> {
        self.block_on(self.executor.execute(call))
    }

    /// Runs a batch; see [`Executor::execute_batch`].
    pub fn execute_batch(
        &self,
        calls: Vec<ToolCall>,
        options: BatchOptions,
    ) -> Result<Vec<Envelope>, BlockingError> {
        self.block_on(self.executor.execute_batch(calls, options))
    }

    /// Statistics; see [`Executor::stats`].
    pub fn stats(&self) -> ExecutionStats {
        self.executor.stats()
    }

    /// One tool's statistics; see [`Executor::tool_stats`].
    pub fn tool_stats(&self, name: &str) -> Option<StatsSnapshot> {
        self.executor.tool_stats(name)
    }

    /// The async executor behind this one.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }
}

impl Drop for BlockingExecutor {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
