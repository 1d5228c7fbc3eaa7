//! The orchestrator: one shared executor, three agents; routes a question to the
//! agents that serve it, runs them in parallel, merges their answers, and reports
//! execution statistics overall and per tool.

use std::sync::Arc;

use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use supply_chain::Store;
use toolexec::{ExecutionStats, Executor, ExecutorConfig, PolicyError, StatsSnapshot};

use crate::agent::Agent;
use crate::agents::{InventoryAgent, LogisticsAgent, SupplierAgent};
use crate::answer::{AgentAnswer, Answer};
use crate::catalog::Catalog;
use crate::planner::{self, Plan};
use crate::query::{Query, UnknownName};

/// Questions the assistant answers well, for help messages.
pub const EXAMPLE_QUESTIONS: [&str; 6] = [
    "Which SKUs in WH001 must be reordered now?",
    "What inventory policy should we use for FAS-0001 at WH002?",
    "Plan tomorrow's delivery routes from WH002",
    "Which carrier should ship 800 kg over 450 km?",
    "Rank our suppliers of fasteners by reliability and price",
    "Full supply-chain review of WH003",
];

/// Why a question could not be served.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Unanswerable {
    /// What was wrong, and what the assistant can answer, with examples.
    pub message: String,
    /// The kind of refusal.
    pub kind: RefusalKind,
}

/// Why a question is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// It asks for nothing the tools can answer.
    Unclear,
    /// It names warehouses, SKUs, suppliers, carriers or categories that do not exist,
    /// and nothing valid of the same kind.
    UnknownName,
    /// It asks to change data.
    ReadOnly,
}

/// Routes questions to the specialist agents over one shared executor.
pub struct Orchestrator {
    executor: Executor,
    catalog: Arc<Catalog>,
    agents: Vec<Box<dyn Agent>>,
}

impl std::fmt::Debug for Orchestrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let agents: Vec<&str> = self.agents.iter().map(|a| a.name()).collect();
        f.debug_struct("Orchestrator")
            .field("executor", &self.executor)
            .field("agents", &agents)
            .finish_non_exhaustive()
    }
}

impl Orchestrator {
    /// An orchestrator whose agents share `executor` (which must hold the supply-chain
    /// tools, in-process or remote).
    pub fn new(executor: Executor, catalog: Arc<Catalog>) -> Self {
        let agents: Vec<Box<dyn Agent>> = vec![
            Box::new(InventoryAgent::new(executor.clone(), catalog.clone())),
            Box::new(LogisticsAgent::new(executor.clone(), catalog.clone())),
            Box::new(SupplierAgent::new(executor.clone(), catalog.clone())),
        ];
        Self {
            executor,
            catalog,
            agents,
        }
    }

    /// An orchestrator with a default executor over the store's built-in tools, as
    /// the original system did when no executor was given.
    pub fn with_store(store: Arc<Store>) -> Result<Self, OrchestratorError> {
        let catalog = Arc::new(Catalog::load(&store)?);
        let executor = default_executor(store)?;
        Ok(Self::new(executor, catalog))
    }

    /// The shared executor.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    /// The catalog questions are parsed against.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The agents.
    pub fn agents(&self) -> impl Iterator<Item = &dyn Agent> {
        self.agents.iter().map(|a| a.as_ref())
    }

    /// Parses a question.
    pub fn understand(&self, question: &str) -> Query {
        let mut query = Query::parse(question, &self.catalog);
        let names_something = !query.warehouses.is_empty() || !query.suppliers.is_empty();
        if query.intents.is_empty() && names_something {
            query.full_review = true;
        }
        query
    }

    /// Parses a question and plans its tool calls without running them (what
    /// `toolexec ask --explain` shows), or says why it cannot be answered.
    pub fn plan(&self, question: &str) -> Result<(Query, Plan), Unanswerable> {
        let query = self.understand(question);
        self.check(question, &query)?;
        let plan = planner::plan(&query, &self.catalog);
        Ok((query, plan))
    }

    /// Refuses questions that change data, name only unknown entities of a kind, or
    /// ask for nothing the agents serve.
    fn check(&self, question: &str, query: &Query) -> Result<(), Unanswerable> {
        if let Some(reason) = &query.refusal {
            return Err(Unanswerable {
                message: reason.clone(),
                kind: RefusalKind::ReadOnly,
            });
        }
        let unresolved: Vec<&UnknownName> = query
            .unknown
            .iter()
            .filter(|u| !query.names_any(u.kind))
            .collect();
        if !unresolved.is_empty() {
            let lines: Vec<String> = unresolved.iter().map(|u| u.sentence()).collect();
            return Err(Unanswerable {
                message: format!(
                    "{}\nNothing was computed: name a valid one and ask again.",
                    lines.join("\n")
                ),
                kind: RefusalKind::UnknownName,
            });
        }
        if !self.agents().any(|a| a.serves(query)) {
            return Err(Unanswerable {
                message: self.help(question),
                kind: RefusalKind::Unclear,
            });
        }
        Ok(())
    }

    /// Answers a question: the agents that serve it run in parallel.
    pub async fn ask(&self, question: &str) -> Result<Answer, Unanswerable> {
        self.ask_as_done(question, |_| {}).await
    }

    /// Answers a question as [`ask`](Self::ask) does, and hands each agent's answer to
    /// `done` as soon as that agent's calls are done, in the order the agents finish;
    /// the [`Answer`] returned keeps the fixed agent order.
    pub async fn ask_as_done(
        &self,
        question: &str,
        mut done: impl FnMut(&AgentAnswer) + Send,
    ) -> Result<Answer, Unanswerable> {
        let query = self.understand(question);
        self.check(question, &query)?;
        let chosen: Vec<&dyn Agent> = self.agents().filter(|a| a.serves(&query)).collect();
        let mut running: FuturesUnordered<_> = chosen
            .iter()
            .enumerate()
            .map(|(position, agent)| agent.answer(&query).map(move |answer| (position, answer)))
            .collect();
        let mut slots: Vec<Option<AgentAnswer>> = chosen.iter().map(|_| None).collect();
        while let Some((position, answer)) = running.next().await {
            done(&answer);
            slots[position] = Some(answer);
        }
        drop(running);
        let answers: Vec<AgentAnswer> = slots.into_iter().flatten().collect();
        let envelopes = answers
            .iter()
            .flat_map(|a| a.envelopes.iter().cloned())
            .collect();
        let notes = query.unknown.iter().map(UnknownName::sentence).collect();
        Ok(Answer {
            question: question.to_owned(),
            query,
            notes,
            agents: answers,
            envelopes,
            stats: self.executor.stats(),
        })
    }

    /// What the assistant can answer, for a question it cannot.
    pub fn help(&self, question: &str) -> String {
        let mut text =
            format!("I cannot tell what \"{question}\" asks for. I can answer questions about:\n");
        for agent in self.agents() {
            text.push_str(&format!("  - {}: {}\n", agent.name(), agent.description()));
        }
        text.push_str(&format!(
            "Warehouses: {}. For example:\n",
            self.catalog.warehouse_codes().join(", ")
        ));
        for example in EXAMPLE_QUESTIONS {
            text.push_str(&format!("  toolexec ask \"{example}\"\n"));
        }
        text
    }

    /// Execution statistics, overall and per tool.
    pub fn tool_execution_stats(&self) -> ExecutionStats {
        self.executor.stats()
    }

    /// One tool's statistics.
    pub fn tool_stats(&self, name: &str) -> Option<StatsSnapshot> {
        self.executor.tool_stats(name)
    }
}

/// Why an orchestrator could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OrchestratorError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] supply_chain::StoreError),
    /// A policy is invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// The executor agents get when built without one: the built-in tools with the
/// default policy (10 concurrent attempts, 30 s attempt timeout, 3 retries).
pub fn default_executor(store: Arc<Store>) -> Result<Executor, PolicyError> {
    let mut builder = Executor::builder().config(ExecutorConfig::default());
    for tool in supply_chain::builtin_tools(store) {
        builder = builder.tool(tool);
    }
    builder.build()
}
