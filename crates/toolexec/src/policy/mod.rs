//! Call policies: plain data with documented defaults, validated when the executor is
//! built, overridable per tool and per call; and the layers that apply them to a call.
//!
//! The layers, outside in, as a call meets them: its deadline ([`deadline`]), the
//! circuit breaker ([`circuit`]), the retry loop ([`retry`]) with its [`backoff`]
//! between attempts and its [`hedge`]s beside slow ones, a token of the tool's [`rate_limit`], the room in the tool's
//! [`bulkhead`] and the concurrency permits
//! each attempt holds ([`permits`]), the
//! attempt under its timeout ([`timeout`]), and the [`fallback`] when the call
//! cannot succeed.

mod backoff;
pub(crate) mod bulkhead;
pub(crate) mod call_policy;
mod circuit;
pub(crate) mod deadline;
mod fallback;
pub(crate) mod hedge;
mod overrides;
pub(crate) mod permits;
pub(crate) mod rate_limit;
pub(crate) mod retry;
mod retry_budget;
pub(crate) mod timeout;

pub use backoff::{Backoff, BackoffPolicy, Jitter};
pub use bulkhead::{BulkheadPolicy, KeyLimit};
pub use call_policy::CallPolicy;
pub use circuit::{CircuitBreaker, CircuitPolicy, CircuitState};
pub use fallback::Fallback;
pub use hedge::{HedgeDelay, HedgePolicy};
pub use overrides::PolicyOverrides;
pub use rate_limit::RateLimitPolicy;
pub use retry_budget::{RetryBudget, RetryBudgetPolicy};
