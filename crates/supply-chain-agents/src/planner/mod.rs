//! Planners: the deterministic rules of [`crate::Query`] and the agents (the default),
//! and an optional LLM planner over an OpenAI-compatible chat-completions API.

mod llm;

pub use llm::{LlmAnswer, LlmConfig, LlmError, LlmPlanner};
