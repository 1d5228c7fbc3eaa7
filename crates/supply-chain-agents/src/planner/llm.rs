//! The optional LLM planner: an OpenAI-compatible chat-completions client with tool
//! calling. It offers the registry's tools with their JSON Schemas, runs the tool calls
//! the model returns through the executor in parallel, and feeds the envelopes back as
//! tool messages until the model answers. Bad tool calls (unknown tool, arguments that
//! are not JSON) go back to the model as readable tool results, never crash the loop.

use std::time::Duration;

use serde_json::{json, Value};
use toolexec::{BatchOptions, Envelope, Executor, ToolCall};

/// Where the model is and how to talk to it.
#[derive(Clone)]
pub struct LlmConfig {
    /// The API base, such as `https://api.openai.com/v1` (`/chat/completions` is added).
    pub base_url: String,
    /// The model name.
    pub model: String,
    /// The bearer token, if the server needs one. Never logged or shown.
    pub api_key: Option<String>,
    /// Model turns before giving up.
    pub max_rounds: u32,
    /// The timeout of one chat-completions request.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("max_rounds", &self.max_rounds)
            .finish()
    }
}

impl LlmConfig {
    /// Reads `TOOLEXEC_LLM_BASE_URL` (or `OPENAI_BASE_URL`), `TOOLEXEC_LLM_MODEL` (or
    /// `OPENAI_MODEL`, default `gpt-4o-mini`) and `TOOLEXEC_LLM_API_KEY` (or
    /// `OPENAI_API_KEY`); `None` without a base URL.
    pub fn from_env() -> Option<LlmConfig> {
        let var = |a: &str, b: &str| std::env::var(a).or_else(|_| std::env::var(b)).ok();
        Some(LlmConfig {
            base_url: var("TOOLEXEC_LLM_BASE_URL", "OPENAI_BASE_URL")?,
            model: var("TOOLEXEC_LLM_MODEL", "OPENAI_MODEL")
                .unwrap_or_else(|| "gpt-4o-mini".into()),
            api_key: var("TOOLEXEC_LLM_API_KEY", "OPENAI_API_KEY"),
            max_rounds: 8,
            request_timeout: Duration::from_secs(120),
        })
    }
}

/// Why the LLM planner could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    /// The server could not be reached.
    #[error("cannot reach the model at {url}: {message}")]
    Transport {
        /// The endpoint.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered with an error status.
    #[error("the model API answered {status}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error text (truncated).
        message: String,
    },
    /// The answer was not a chat completion.
    #[error("the model API answered something that is not a chat completion: {0}")]
    BadResponse(String),
    /// The model kept calling tools.
    #[error("the model did not answer within {0} rounds of tool calls")]
    TooManyRounds(u32),
}

/// The LLM planner's answer.
#[derive(Debug, Clone)]
pub struct LlmAnswer {
    /// The model's final text.
    pub text: String,
    /// Every tool call's envelope, in the order made.
    pub envelopes: Vec<Envelope>,
    /// Model turns taken.
    pub rounds: u32,
}

/// Plans with a model; see the module docs.
#[derive(Debug, Clone)]
pub struct LlmPlanner {
    config: LlmConfig,
    client: reqwest::Client,
}

const SYSTEM_PROMPT: &str = "You are a supply-chain assistant. Use the tools to compute \
answers from data (warehouses WH001..., SKUs like FAS-0001, suppliers like SUP001); call \
several tools at once when they are independent. Answer briefly with the key numbers.";

impl LlmPlanner {
    /// A planner for `config`.
    pub fn new(config: LlmConfig) -> Result<LlmPlanner, LlmError> {
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| LlmError::Transport {
                url: config.base_url.clone(),
                message: e.to_string(),
            })?;
        Ok(LlmPlanner { config, client })
    }

    /// Answers `question` with the executor's tools.
    pub async fn ask(&self, executor: &Executor, question: &str) -> Result<LlmAnswer, LlmError> {
        let tools: Vec<Value> = executor
            .tools()
            .into_iter()
            .map(|spec| {
                json!({"type": "function", "function": {
                    "name": spec.name, "description": spec.description, "parameters": spec.input_schema
                }})
            })
            .collect();
        let mut messages = vec![
            json!({"role": "system", "content": SYSTEM_PROMPT}),
            json!({"role": "user", "content": question}),
        ];
        let mut envelopes = Vec::new();
        for round in 1..=self.config.max_rounds {
            let message = self.complete(&messages, &tools).await?;
            let calls = message["tool_calls"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if calls.is_empty() {
                let text = message["content"].as_str().unwrap_or_default().to_owned();
                return Ok(LlmAnswer {
                    text,
                    envelopes,
                    rounds: round,
                });
            }
            messages.push(message.clone());
            let (batch, replies) = self.run_calls(executor, &calls).await;
            messages.extend(replies);
            envelopes.extend(batch);
        }
        Err(LlmError::TooManyRounds(self.config.max_rounds))
    }

    /// Runs the model's tool calls in one parallel batch; returns the envelopes and one
    /// tool message per call, in the model's order.
    async fn run_calls(&self, executor: &Executor, calls: &[Value]) -> (Vec<Envelope>, Vec<Value>) {
        let mut replies: Vec<Option<Value>> = vec![None; calls.len()];
        let mut batch = Vec::new();
        let mut slots = Vec::new();
        for (i, call) in calls.iter().enumerate() {
            let id = call["id"].as_str().unwrap_or_default().to_owned();
            let name = call["function"]["name"].as_str().unwrap_or_default();
            let raw = call["function"]["arguments"].as_str().unwrap_or("{}");
            match serde_json::from_str::<Value>(if raw.trim().is_empty() { "{}" } else { raw }) {
                Ok(arguments) if arguments.is_object() => {
                    batch.push(ToolCall::new(name, arguments).with_id(if id.is_empty() {
                        format!("llm-{i}")
                    } else {
                        id.clone()
                    }));
                    slots.push((i, id));
                }
                Ok(_) | Err(_) => {
                    let error = format!(
                        "error: the arguments of {name} must be a JSON object; got {raw:?}"
                    );
                    replies[i] =
                        Some(json!({"role": "tool", "tool_call_id": id, "content": error}));
                }
            }
        }
        let envelopes = executor.execute_batch(batch, BatchOptions::default()).await;
        for ((i, id), envelope) in slots.into_iter().zip(&envelopes) {
            replies[i] = Some(
                json!({"role": "tool", "tool_call_id": id, "content": tool_message(envelope)}),
            );
        }
        (envelopes, replies.into_iter().flatten().collect())
    }

    async fn complete(&self, messages: &[Value], tools: &[Value]) -> Result<Value, LlmError> {
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let body = json!({"model": self.config.model, "messages": messages, "tools": tools, "tool_choice": "auto"});
        let mut request = self.client.post(&url).json(&body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| LlmError::Transport {
            url: url.clone(),
            message: e.without_url().to_string(),
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| LlmError::Transport {
            url: url.clone(),
            message: e.without_url().to_string(),
        })?;
        if !status.is_success() {
            return Err(LlmError::Api {
                status: status.as_u16(),
                message: text.chars().take(500).collect(),
            });
        }
        let value: Value =
            serde_json::from_str(&text).map_err(|e| LlmError::BadResponse(e.to_string()))?;
        let message = value["choices"][0]["message"].clone();
        if message.is_object() {
            Ok(message)
        } else {
            Err(LlmError::BadResponse("no choices[0].message".into()))
        }
    }
}

/// What the model reads of an envelope: the result, or the error in words.
fn tool_message(envelope: &Envelope) -> String {
    match (&envelope.result, &envelope.error) {
        (Some(result), _) => result.to_string(),
        (None, Some(error)) => format!("error ({}): {}", error.kind, error.message),
        (None, None) => format!("error: the call ended {}", envelope.status),
    }
}
