//! The [`Agent`] trait: a specialist that plans tool calls for a question, runs them in
//! parallel through the shared executor, and composes an answer.

use futures::future::BoxFuture;
use toolexec::{BatchOptions, Envelope, ExecutionStats, Executor, StatsSnapshot, ToolCall};

use crate::answer::AgentAnswer;
use crate::query::{Intent, Query};

/// A specialist agent.
pub trait Agent: Send + Sync {
    /// The agent's name, as shown in answers.
    fn name(&self) -> &'static str;

    /// What the agent answers, for the help message.
    fn description(&self) -> &'static str;

    /// The intents the agent serves.
    fn intents(&self) -> &'static [Intent];

    /// The executor the agent runs its tools on (shared with the other agents).
    fn executor(&self) -> &Executor;

    /// Plans, runs and answers.
    fn answer<'a>(&'a self, query: &'a Query) -> BoxFuture<'a, AgentAnswer>;

    /// Whether the agent serves the query.
    fn serves(&self, query: &Query) -> bool {
        query.full_review || self.intents().iter().any(|i| query.intents.contains(i))
    }

    /// Runs one tool call.
    fn run_tool(&self, call: ToolCall) -> BoxFuture<'_, Envelope> {
        Box::pin(self.executor().execute(call))
    }

    /// Runs tool calls in parallel; envelopes in request order.
    fn run_tools(&self, calls: Vec<ToolCall>) -> BoxFuture<'_, Vec<Envelope>> {
        Box::pin(
            self.executor()
                .execute_batch(calls, BatchOptions::default()),
        )
    }

    /// Statistics of the executor the agent uses.
    fn execution_stats(&self) -> ExecutionStats {
        self.executor().stats()
    }

    /// Statistics of one tool.
    fn tool_stats(&self, tool: &str) -> Option<StatsSnapshot> {
        self.executor().tool_stats(tool)
    }
}

/// How a specialist agent is built: on a shared executor by the orchestrator, or on
/// a default executor of its own.
pub trait Specialist: Agent + Sized {
    /// An agent on a shared executor.
    fn with_executor(executor: Executor, catalog: std::sync::Arc<crate::Catalog>) -> Self;

    /// An agent with an executor of its own over the store's built-in tools, for use
    /// without an orchestrator (as the original's agents without an injected executor).
    fn standalone(
        store: std::sync::Arc<supply_chain::Store>,
    ) -> Result<Self, crate::OrchestratorError> {
        let catalog = std::sync::Arc::new(crate::Catalog::load(&store)?);
        Ok(Self::with_executor(
            crate::default_executor(store)?,
            catalog,
        ))
    }
}
