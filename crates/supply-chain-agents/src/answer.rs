//! Answers: a short text with the key numbers, tables where they fit, and the envelope
//! of every call made.

use serde::Serialize;
use serde_json::Value;
use toolexec::{Envelope, ExecutionStats};

use crate::query::Query;

/// A table in an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerTable {
    /// What the table shows.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows of cells (strings or numbers).
    pub rows: Vec<Vec<Value>>,
}

impl AnswerTable {
    /// An empty table.
    pub fn new(title: impl Into<String>, columns: &[&str]) -> Self {
        Self {
            title: title.into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Value>) {
        self.rows.push(row);
    }
}

/// One agent's answer.
#[derive(Debug, Clone, Serialize)]
pub struct AgentAnswer {
    /// The agent's name.
    pub agent: String,
    /// Sentences with the key numbers.
    pub lines: Vec<String>,
    /// Tables.
    pub tables: Vec<AnswerTable>,
    /// The envelopes of every call the agent made, in the order made.
    pub envelopes: Vec<Envelope>,
}

impl AgentAnswer {
    /// An empty answer from `agent`.
    pub fn new(agent: &str) -> Self {
        Self {
            agent: agent.to_owned(),
            lines: Vec::new(),
            tables: Vec::new(),
            envelopes: Vec::new(),
        }
    }

    /// Adds a sentence.
    pub fn say(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }

    /// Notes a failed call in the text, so a failure is never silent.
    pub fn report_failure(&mut self, envelope: &Envelope, what: &str) {
        let reason = envelope
            .error
            .as_ref()
            .map(|e| format!("{}: {}", e.kind, e.message))
            .unwrap_or_else(|| envelope.status.to_string());
        self.say(format!(
            "Could not {what} ({} {reason}).",
            envelope.tool_name
        ));
    }
}

/// The assistant's answer to one question.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The question.
    pub question: String,
    /// How it was understood.
    pub query: Query,
    /// Notes on the question itself (unknown names next to known ones).
    pub notes: Vec<String>,
    /// Each agent's answer, in a fixed agent order.
    pub agents: Vec<AgentAnswer>,
    /// Every call's envelope, agent by agent.
    pub envelopes: Vec<Envelope>,
    /// Execution statistics of the shared executor after answering.
    pub stats: ExecutionStats,
}

impl Answer {
    /// The first line of the answer: the number asked for (the first sentence of the
    /// first agent that answered).
    pub fn headline(&self) -> String {
        self.agents
            .iter()
            .flat_map(|a| a.lines.first())
            .next()
            .cloned()
            .unwrap_or_else(|| "No answer could be computed.".to_owned())
    }

    /// The answer as text: the headline first, then notes on the question, then each
    /// agent's other sentences under its name.
    pub fn text(&self) -> String {
        let headline = self.headline();
        let mut out = format!("{headline}\n");
        for note in &self.notes {
            out.push_str(&format!("{note}\n"));
        }
        let lead = self.agents.iter().position(|a| !a.lines.is_empty());
        for (i, agent) in self.agents.iter().enumerate() {
            let rest: Vec<&String> = agent
                .lines
                .iter()
                .skip(usize::from(lead == Some(i)))
                .collect();
            if rest.is_empty() {
                continue;
            }
            out.push_str(&format!("{}:\n", agent.agent));
            for line in rest {
                out.push_str(&format!("  - {line}\n"));
            }
        }
        out
    }

    /// Whether every call succeeded.
    pub fn all_calls_succeeded(&self) -> bool {
        self.envelopes.iter().all(|e| e.success)
    }
}

/// A number in a result, by JSON pointer.
pub(crate) fn num(value: &Value, pointer: &str) -> Option<f64> {
    value.pointer(pointer).and_then(Value::as_f64)
}

/// A number for people: whole numbers and numbers from 100 up without decimals, two
/// decimals otherwise.
pub(crate) fn fmt(n: f64) -> String {
    if n.abs() >= 100.0 || n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

/// A fraction as a percentage with one decimal.
pub(crate) fn pct(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// A JSON number rounded to `digits` decimals, for table cells.
pub(crate) fn cell(n: f64, digits: i32) -> Value {
    let factor = 10f64.powi(digits);
    serde_json::json!((n * factor).round() / factor)
}
