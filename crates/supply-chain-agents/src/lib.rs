//! The supply-chain assistant: an [`Orchestrator`] hands one shared
//! [`toolexec::Executor`] to three specialist [`Agent`]s (inventory optimizer,
//! logistics, supplier analyzer), routes each question to the agents that serve it,
//! runs them in parallel, and merges their answers.
//!
//! ```
//! use std::sync::Arc;
//! use supply_chain::Store;
//! use supply_chain_agents::Orchestrator;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Arc::new(Store::in_memory_seeded(1)?);
//! let assistant = Orchestrator::with_store(store)?;
//! let answer = assistant.ask("Which SKUs in WH001 must be reordered now?").await?;
//! assert!(answer.text().contains("WH001"));
//! assert!(answer.all_calls_succeeded());
//! # Ok(())
//! # }
//! ```

mod agent;
pub mod agents;
mod answer;
mod catalog;
mod orchestrator;
pub mod planner;
pub mod query;

pub use agent::{Agent, Specialist};
pub use answer::{AgentAnswer, Answer, AnswerTable};
pub use catalog::Catalog;
pub use orchestrator::{
    default_executor, Orchestrator, OrchestratorError, RefusalKind, Unanswerable, EXAMPLE_QUESTIONS,
};
pub use planner::{Plan, PlannedCall, Specialty};
pub use query::{
    EntityKind, Intent, Measure, Order, Query, Rank, Trend, UnknownName, WhatIf, MAX_HORIZON_DAYS,
};
