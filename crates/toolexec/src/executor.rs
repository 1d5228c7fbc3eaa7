//! The [`Executor`]: tools, policies, the concurrency limit, status, history and stats.

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::batch::{self, BatchFeed, BatchOptions, Delivery};
use crate::batch_stream::BatchStream;
use crate::call::{run_queued, Queued};
use crate::inner::Inner;
use crate::journal::{Journal, JournalScope};
use crate::policy::{CallPolicy, CircuitState, RetryBudget};
use crate::restore::PastCall;
use crate::scope::Scope;
use crate::stats::Merged;
use crate::{
    Envelope, ExecutionEvent, ExecutionStats, ExecutorConfig, History, LiveStatus, PolicyError,
    StatsSnapshot, Tool, ToolCall, ToolOptions, ToolRegistry, ToolSpec,
};

/// Builds an [`Executor`]; see [`Executor::builder`].
#[derive(Default)]
pub struct ExecutorBuilder {
    config: ExecutorConfig,
    registry: ToolRegistry,
    journal: Option<Arc<dyn Journal>>,
    retry_budget: Option<Arc<RetryBudget>>,
}

impl std::fmt::Debug for ExecutorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutorBuilder")
            .field("config", &self.config)
            .field("registry", &self.registry)
            .field("journal", &self.journal.is_some())
            .finish()
    }
}

impl ExecutorBuilder {
    /// Replaces all settings.
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn config(mut self, config: ExecutorConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets [`ExecutorConfig::max_concurrency`].
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.config.max_concurrency = limit;
        self
    }

    /// Sets [`ExecutorConfig::history_capacity`].
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn history_capacity(mut self, capacity: usize) -> Self {
        self.config.history_capacity = capacity;
        self
    }

    /// Sets the default policy.
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn defaults(mut self, policy: CallPolicy) -> Self {
        self.config.defaults = policy;
        self
    }

    /// Adds a tool with the default policy.
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn tool(mut self, tool: Arc<dyn Tool>) -> Self {
        self.registry.register(tool);
        self
    }

    /// Adds a tool with its own options.
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn tool_with(mut self, tool: Arc<dyn Tool>, options: ToolOptions) -> Self {
        self.registry.register_with(tool, options);
        self
    }

    /// Adds every tool of a registry (replacing tools of the same names).
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn registry(mut self, registry: ToolRegistry) -> Self {
        for (tool, options) in registry.into_entries() {
            self.registry.register_with(tool, options);
        }
        self
    }

    /// Writes every batch and call down in `journal` as they are accepted, start and
    /// end (see [`Journal`]).
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn journal(mut self, journal: Arc<dyn Journal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Makes every tool's retries draw on `budget` (a tool given its own with
    /// [`ToolOptions::with_retry_budget`](crate::ToolOptions::with_retry_budget) uses
    /// that instead). Without one, retries are bounded only by each call's policy.
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn retry_budget(mut self, budget: Arc<RetryBudget>) -> Self {
        self.retry_budget = Some(budget);
        self
    }

    /// Validates every policy and builds the executor.
    pub fn build(self) -> Result<Executor, PolicyError> {
        self.config.validate()?;
        let tools = self
            .registry
            .resolve(&self.config.defaults, self.retry_budget.as_ref())?;
        let inner = Inner::new(
            tools,
            self.config.max_concurrency,
            self.config.event_capacity,
            self.config.history_capacity,
            self.journal,
        );
        Ok(Executor {
            inner: Arc::new(inner),
        })
    }
}

/// Runs tool calls: alone with [`Executor::execute`] or in parallel batches with
/// [`Executor::execute_batch`]. Cloning is cheap and shares everything, so one executor
/// can serve many agents.
#[derive(Clone)]
pub struct Executor {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("tools", &self.inner.tools.len())
            .field("max_concurrency", &self.inner.max_concurrency)
            .finish()
    }
}

impl Executor {
    /// A builder with the default [`ExecutorConfig`] and no tools.
    #[must_use = "a builder does nothing until `build` is called"]
    pub fn builder() -> ExecutorBuilder {
        ExecutorBuilder::default()
    }

    /// Runs one call to its envelope. Dropping the future cancels the call.
    #[must_use = "an envelope is the only account of what the call did"]
    pub async fn execute(&self, call: ToolCall) -> Envelope {
        self.execute_in(call, Scope::single(None)).await
    }

    /// Runs one call that ends `cancelled` as soon as `cancel` is cancelled.
    #[must_use = "an envelope is the only account of what the call did"]
    pub async fn execute_cancellable(&self, call: ToolCall, cancel: CancellationToken) -> Envelope {
        self.execute_in(call, Scope::single(Some(cancel))).await
    }

    async fn execute_in(&self, call: ToolCall, scope: Scope) -> Envelope {
        let scope = Arc::new(scope);
        let sequence = self.inner.next_sequence();
        let journal = self.inner.journal.as_ref().map(|journal| {
            JournalScope::accept(journal, None, None, std::slice::from_ref(&call), sequence)
        });
        let queued = Queued::announce(&self.inner, call, sequence, Instant::now(), journal);
        run_queued(self.inner.clone(), queued, scope).await
    }

    /// Runs calls in parallel and returns one envelope per call, in request order.
    ///
    /// As many calls run at once as the concurrency limits allow, on lane tasks that
    /// tools use every core with (a task per call while they are few, up to 1,024 calls
    /// per task when tens of thousands run at once); the others wait in request order
    /// as plain values, not as tasks. Dropping the returned future cancels the calls still
    /// running or waiting; each is recorded as `cancelled`.
    #[must_use = "an envelope is the only account of what the call did"]
    pub async fn execute_batch(
        &self,
        calls: Vec<ToolCall>,
        options: BatchOptions,
    ) -> Vec<Envelope> {
        batch::run(&self.inner, calls, options, Delivery::Collect, None).await
    }

    /// Runs calls as [`execute_batch`](Self::execute_batch) does (the same batch: limits,
    /// deadlines, failure modes, cancellation), but yields each envelope as its call
    /// ends, as `(index in the request, envelope)`. Dropping the stream cancels the calls
    /// still running or waiting; each is recorded as `cancelled`.
    pub fn execute_batch_stream(&self, calls: Vec<ToolCall>, options: BatchOptions) -> BatchStream {
        BatchStream::new(self.inner.clone(), calls, options, None)
    }

    /// A streamed batch of `total` calls that starts with `first` and takes the rest, in
    /// request order, from the returned [`BatchFeed`] while it runs: for a caller that
    /// converts its requests as it goes, so the first calls need not wait for the last
    /// to be converted. Limits, deadlines, failure modes and cancellation are those of
    /// [`execute_batch_stream`](Self::execute_batch_stream); lanes start for calls as
    /// they arrive. Calls the feed never sent (it was dropped first) are answered
    /// `cancelled`. A batch on a journaled executor waits for all its calls before any
    /// starts, so that its accept record lists them all. `total` is at least
    /// `first.len()`.
    pub fn execute_batch_stream_fed(
        &self,
        total: usize,
        first: Vec<ToolCall>,
        options: BatchOptions,
    ) -> (BatchStream, BatchFeed) {
        let (sender, feed) = batch::feed(total, first.len());
        let stream = BatchStream::new(self.inner.clone(), first, options, Some(feed));
        (stream, sender)
    }

    /// Replays calls that ended in an earlier process (read back from a journal after
    /// a restart), oldest first, into the statistics and history, as if they had just
    /// ended; live status and events are left alone.
    pub fn restore(&self, calls: impl IntoIterator<Item = PastCall>) {
        for call in calls {
            crate::restore::restore(&self.inner, call);
        }
    }

    /// The journal batches and calls are written down in, if the executor keeps one.
    pub fn journal(&self) -> Option<&Arc<dyn Journal>> {
        self.inner.journal.as_ref()
    }

    /// A new subscription to the lifecycle events of every call from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ExecutionEvent> {
        self.inner.board.subscribe()
    }

    /// The live status of an in-flight call, or the final status of a finished one
    /// still in the history.
    pub fn call_status(&self, call_id: &str) -> Option<LiveStatus> {
        self.inner.board.get(call_id).or_else(|| {
            self.inner.history.find(call_id).map(|r| LiveStatus {
                call_id: r.call_id,
                tool_name: r.tool_name,
                status: r.status,
                attempt: r.attempts,
            })
        })
    }

    /// Every call in flight now.
    pub fn in_flight(&self) -> Vec<LiveStatus> {
        self.inner.board.in_flight()
    }

    /// Attempts running now (permits taken).
    pub fn running_attempts(&self) -> usize {
        self.inner.max_concurrency - self.inner.permits.available_permits()
    }

    /// The concurrency limit.
    pub fn max_concurrency(&self) -> usize {
        self.inner.max_concurrency
    }

    /// The history of finished calls.
    pub fn history(&self) -> &History {
        &self.inner.history
    }

    /// Statistics overall and per tool.
    ///
    /// Each call is recorded once, in its tool's statistics; "overall" merges them.
    pub fn stats(&self) -> ExecutionStats {
        let mut overall = Merged::default();
        let per_tool = self
            .inner
            .tools
            .iter()
            .map(|(name, tool)| (name.to_string(), overall.add(&tool.stats)))
            .collect();
        overall.include(&self.inner.unregistered);
        ExecutionStats {
            overall: overall.snapshot(),
            per_tool,
        }
    }

    /// Statistics of one registered tool.
    pub fn tool_stats(&self, name: &str) -> Option<StatsSnapshot> {
        self.inner.tools.get(name).map(|tool| tool.stats.snapshot())
    }

    /// The circuit state of one registered tool.
    pub fn circuit_state(&self, name: &str) -> Option<CircuitState> {
        self.inner.tools.get(name).map(|tool| tool.circuit.state())
    }

    /// The specs of every registered tool, sorted by name.
    pub fn tools(&self) -> Vec<ToolSpec> {
        let mut specs: Vec<ToolSpec> = self
            .inner
            .tools
            .values()
            .map(|t| t.tool.spec().clone())
            .collect();
        specs.sort_by(|a, b| a.name.cmp(&b.name));
        specs
    }

    /// The resolved policy of one registered tool.
    pub fn tool_policy(&self, name: &str) -> Option<CallPolicy> {
        self.inner.tools.get(name).map(|tool| tool.policy)
    }
}
