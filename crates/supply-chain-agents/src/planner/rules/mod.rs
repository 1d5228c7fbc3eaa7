//! The offline rules planner: from a parsed [`Query`] to the tool calls that answer it,
//! each with the reason it was chosen. Deterministic; every input it builds fits its
//! tool's published JSON Schema (a property test holds it to that).

use serde::Serialize;
use serde_json::Value;
use toolexec::ToolCall;

use crate::catalog::Catalog;
use crate::query::{Intent, Query};

pub mod inventory_calls;
pub mod logistics_calls;
pub mod supplier_calls;

/// Which specialist agent runs a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Specialty {
    /// The inventory optimizer.
    Inventory,
    /// The logistics optimizer.
    Logistics,
    /// The supplier analyzer.
    Supplier,
}

impl Specialty {
    /// Every specialty, in answer order.
    pub const ALL: [Specialty; 3] = [
        Specialty::Inventory,
        Specialty::Logistics,
        Specialty::Supplier,
    ];

    /// The intents the specialty serves.
    pub fn intents(self) -> &'static [Intent] {
        match self {
            Specialty::Inventory => inventory_calls::INTENTS,
            Specialty::Logistics => logistics_calls::INTENTS,
            Specialty::Supplier => supplier_calls::INTENTS,
        }
    }

    /// Whether the specialty serves the query.
    pub fn serves(self, query: &Query) -> bool {
        query.full_review || self.intents().iter().any(|i| query.intents.contains(i))
    }
}

/// One planned tool call and why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedCall {
    /// The agent that runs it.
    pub specialty: Specialty,
    /// The tool.
    pub tool: &'static str,
    /// The call id (unique within a plan).
    pub id: String,
    /// The tool input.
    pub input: Value,
    /// Why the call is made, in words.
    pub why: String,
    /// Made after the others, with input completed from their results (a ranking of
    /// the suppliers in scope, whose figures come from the performance call).
    pub deferred: bool,
}

impl PlannedCall {
    /// The call as the executor takes it.
    pub fn to_call(&self) -> ToolCall {
        ToolCall::new(self.tool, self.input.clone()).with_id(self.id.clone())
    }
}

/// A plan: the calls, and notes on what could not be planned and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    /// The calls, in answer order.
    pub calls: Vec<PlannedCall>,
    /// Sentences for the answer: what is missing, what was bounded.
    pub notes: Vec<String>,
}

impl Plan {
    pub(crate) fn push(
        &mut self,
        specialty: Specialty,
        tool: &'static str,
        id: String,
        input: Value,
        why: String,
    ) {
        if self.calls.iter().any(|c| c.id == id) {
            return;
        }
        self.calls.push(PlannedCall {
            specialty,
            tool,
            id,
            input,
            why,
            deferred: false,
        });
    }

    fn extend(&mut self, other: Plan) {
        self.calls.extend(other.calls);
        self.notes.extend(other.notes);
    }

    /// The calls of one specialty.
    pub fn of(&self, specialty: Specialty) -> impl Iterator<Item = &PlannedCall> {
        self.calls.iter().filter(move |c| c.specialty == specialty)
    }
}

/// The plan for a query: the calls of every specialty that serves it.
pub fn plan(query: &Query, catalog: &Catalog) -> Plan {
    let mut out = Plan::default();
    for specialty in Specialty::ALL {
        if specialty.serves(query) {
            out.extend(plan_for(specialty, query, catalog));
        }
    }
    out
}

/// The plan of one specialty.
pub fn plan_for(specialty: Specialty, query: &Query, catalog: &Catalog) -> Plan {
    match specialty {
        Specialty::Inventory => inventory_calls::plan(query, catalog),
        Specialty::Logistics => logistics_calls::plan(query, catalog),
        Specialty::Supplier => supplier_calls::plan(query, catalog),
    }
}

/// Why an intent was planned: its description and the words that asked for it.
pub(crate) fn reason(query: &Query, intent: Intent, detail: &str) -> String {
    let cue = match query.evidence.get(&intent) {
        Some(cue) => format!(" (asked by \"{cue}\")"),
        None if query.full_review => " (part of a full review)".to_owned(),
        None => " (the agent's default)".to_owned(),
    };
    if detail.is_empty() {
        format!("{}{cue}", intent.describe())
    } else {
        format!("{}{cue}; {detail}", intent.describe())
    }
}
