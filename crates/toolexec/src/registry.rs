//! The tools an executor can call, by name, with their per-tool policy and fallback.

use std::collections::HashMap;
use std::sync::Arc;

use crate::input_schema::InputSchema;
use crate::policy::bulkhead::Bulkhead;
use crate::policy::hedge::Hedging;
use crate::policy::rate_limit::RateLimit;
use crate::policy::{
    BulkheadPolicy, CallPolicy, CircuitBreaker, Fallback, HedgePolicy, PolicyOverrides,
    RateLimitPolicy, RetryBudget,
};
use crate::stats::ToolAccumulator;
use crate::{PolicyError, Tool, ToolSpec};

/// The executor's tools by name, looked up once per call (foldhash: a tool name
/// hashes several times faster than with SipHash).
pub(crate) type ToolMap = HashMap<Arc<str>, Arc<RegisteredTool>, foldhash::fast::RandomState>;

/// How one tool is called: changes to the default policy, a fallback, a bulkhead, a
/// rate limit, a retry budget and hedging.
#[derive(Debug, Clone, Default)]
pub struct ToolOptions {
    /// Changes to the executor's default policy for this tool.
    pub policy: PolicyOverrides,
    /// The answer when a call of this tool cannot succeed.
    pub fallback: Option<Fallback>,
    /// How many of its attempts may run at once, overall and per input key.
    pub bulkhead: Option<BulkheadPolicy>,
    /// How many of its attempts may start a second, overall or per input key.
    pub rate_limit: Option<RateLimitPolicy>,
    /// The retry budget its retries draw on, instead of the executor's: give the same
    /// budget to each tool of a group to share it.
    pub retry_budget: Option<Arc<RetryBudget>>,
    /// Hedged attempts beside slow ones; only for a tool annotated read-only or
    /// idempotent.
    pub hedge: Option<HedgePolicy>,
}

impl ToolOptions {
    /// Sets the hedging.
    #[must_use]
    pub fn with_hedge(mut self, hedge: HedgePolicy) -> Self {
        self.hedge = Some(hedge);
        self
    }

    /// Sets the policy overrides.
    #[must_use]
    pub fn with_policy(mut self, policy: PolicyOverrides) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the fallback.
    #[must_use]
    pub fn with_fallback(mut self, fallback: Fallback) -> Self {
        self.fallback = Some(fallback);
        self
    }

    /// Sets the bulkhead.
    #[must_use]
    pub fn with_bulkhead(mut self, bulkhead: BulkheadPolicy) -> Self {
        self.bulkhead = Some(bulkhead);
        self
    }

    /// Sets the retry budget.
    #[must_use]
    pub fn with_retry_budget(mut self, budget: Arc<RetryBudget>) -> Self {
        self.retry_budget = Some(budget);
        self
    }

    /// Sets the rate limit.
    #[must_use]
    pub fn with_rate_limit(mut self, rate_limit: RateLimitPolicy) -> Self {
        self.rate_limit = Some(rate_limit);
        self
    }
}

/// Tools by name. A tool registered under a name already taken replaces the old one.
#[derive(Default)]
pub struct ToolRegistry {
    tools: HashMap<Arc<str>, (Arc<dyn Tool>, ToolOptions)>,
}

impl std::fmt::Debug for ToolRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.tools.keys()).finish()
    }
}

impl ToolRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tool with the default policy and no fallback.
    pub fn register(&mut self, tool: Arc<dyn Tool>) -> &mut Self {
        self.register_with(tool, ToolOptions::default())
    }

    /// Adds a tool with its own options.
    pub fn register_with(&mut self, tool: Arc<dyn Tool>, options: ToolOptions) -> &mut Self {
        let name: Arc<str> = tool.spec().name.as_str().into();
        self.tools.insert(name, (tool, options));
        self
    }

    /// The tool of that name.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.tools.get(name).map(|(tool, _)| tool)
    }

    /// The specs of every tool, sorted by name.
    pub fn specs(&self) -> Vec<ToolSpec> {
        let mut specs: Vec<ToolSpec> = self.tools.values().map(|(t, _)| t.spec().clone()).collect();
        specs.sort_by(|a, b| a.name.cmp(&b.name));
        specs
    }

    /// The number of tools.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether there are no tools.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// Every tool with its options, in no particular order.
    pub fn into_entries(self) -> impl Iterator<Item = (Arc<dyn Tool>, ToolOptions)> {
        self.tools.into_values()
    }

    /// Resolves every tool's policy against `defaults`, validating each, and compiles
    /// every tool's input schema.
    pub(crate) fn resolve(
        self,
        defaults: &CallPolicy,
        retry_budget: Option<&Arc<RetryBudget>>,
    ) -> Result<ToolMap, PolicyError> {
        let mut resolved = ToolMap::with_capacity_and_hasher(self.tools.len(), Default::default());
        for (name, (tool, options)) in self.tools {
            let policy = options.policy.apply(defaults);
            policy.validate().map_err(|e| PolicyError {
                key: format!("tools.{name}.{}", e.key),
                reason: e.reason,
            })?;
            let input_schema = InputSchema::compile(&name, &tool.spec().input_schema)?;
            let bulkhead = match options.bulkhead {
                Some(bulkhead) => {
                    bulkhead.validate().map_err(|e| PolicyError {
                        key: format!("tools.{name}.bulkhead.{}", e.key),
                        reason: e.reason,
                    })?;
                    Bulkhead::new(bulkhead)
                }
                None => None,
            };
            let rate_limit = match options.rate_limit {
                Some(rate_limit) => {
                    rate_limit.validate().map_err(|e| PolicyError {
                        key: format!("tools.{name}.rate_limit.{}", e.key),
                        reason: e.reason,
                    })?;
                    Some(RateLimit::new(rate_limit))
                }
                None => None,
            };
            let hedging = match options.hedge {
                Some(hedge) => Some(hedging_of(&name, &*tool, hedge)?),
                None => None,
            };
            let entry = RegisteredTool {
                name: name.clone(),
                input_schema,
                circuit: CircuitBreaker::new(policy.circuit),
                stats: ToolAccumulator::default(),
                tool,
                policy,
                fallback: options.fallback,
                bulkhead,
                rate_limit,
                retry_budget: options.retry_budget.or_else(|| retry_budget.cloned()),
                hedging,
            };
            resolved.insert(name, Arc::new(entry));
        }
        Ok(resolved)
    }
}

/// A tool ready to call: its compiled input schema, resolved policy, breaker and
/// statistics.
pub(crate) struct RegisteredTool {
    pub(crate) name: Arc<str>,
    pub(crate) input_schema: InputSchema,
    pub(crate) tool: Arc<dyn Tool>,
    pub(crate) policy: CallPolicy,
    pub(crate) fallback: Option<Fallback>,
    pub(crate) circuit: CircuitBreaker,
    pub(crate) stats: ToolAccumulator,
    pub(crate) bulkhead: Option<Bulkhead>,
    pub(crate) rate_limit: Option<Arc<RateLimit>>,
    pub(crate) retry_budget: Option<Arc<RetryBudget>>,
    pub(crate) hedging: Option<Hedging>,
}

/// The hedging of tool `name` by `policy`: a valid policy, on a tool that does not
/// mutate (a hedge runs the call twice at once).
fn hedging_of(name: &str, tool: &dyn Tool, policy: HedgePolicy) -> Result<Hedging, PolicyError> {
    policy.validate().map_err(|e| PolicyError {
        key: format!("tools.{name}.hedge.{}", e.key),
        reason: e.reason,
    })?;
    if tool.spec().annotations.is_mutating() {
        return Err(PolicyError {
            key: format!("tools.{name}.hedge"),
            reason: "hedging runs a call twice at once: the tool must be annotated read-only or idempotent".into(),
        });
    }
    Ok(Hedging::new(policy))
}

impl RegisteredTool {
    /// A call's keys in the tool's bulkhead and rate limit (each `None` without a
    /// keyed limit or when the input lacks the field).
    pub(crate) fn keys_of(&self, input: &serde_json::Value) -> (Option<String>, Option<String>) {
        (
            self.bulkhead.as_ref().and_then(|b| b.key_of(input)),
            self.rate_limit.as_ref().and_then(|r| r.key_of(input)),
        )
    }
}
