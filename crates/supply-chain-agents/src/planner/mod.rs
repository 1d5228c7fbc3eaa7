//! Planners: the deterministic [`rules`] planner over a parsed [`crate::Query`] (the
//! default), and an optional LLM planner over an OpenAI-compatible chat-completions API.

mod llm;
pub mod rules;

pub use llm::{LlmAnswer, LlmConfig, LlmError, LlmPlanner};
pub use rules::{plan, Plan, PlannedCall, Specialty};
