//! What an attempt holds while it runs, taken in order: a token of the tool's rate
//! limit, room in the tool's bulkhead, then the batch's and the executor's permits.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::failure::AttemptFailure;
use crate::policy::bulkhead::{Bulkhead, BulkheadPermits};
use crate::policy::permits::{acquire, Permits};
use crate::policy::rate_limit::RateLimit;
use crate::scope::Scope;

/// The limits an attempt passes before it runs.
#[derive(Clone, Copy)]
pub(crate) struct Limits<'a> {
    /// The tool's rate limit, if it has one, and the call's key in it.
    pub(crate) rate_limit: Option<(&'a RateLimit, Option<&'a str>)>,
    /// The tool's bulkhead, if it has one, and the call's key in it.
    pub(crate) bulkhead: Option<(&'a Bulkhead, Option<&'a str>)>,
    /// The executor-wide permits.
    pub(crate) permits: &'a Arc<Semaphore>,
}

/// Room and permits, given back when dropped (the token is spent).
pub(super) struct Held {
    _permits: Permits,
    _room: Option<BulkheadPermits>,
}

/// Passes the limits in order, each wait bounded by its own maximum, `deadline` and
/// `scope`'s cancellation.
pub(super) async fn hold(
    limits: Limits<'_>,
    scope: &Scope,
    deadline: Option<Instant>,
) -> Result<Held, AttemptFailure> {
    if let Some((limit, key)) = limits.rate_limit {
        limit.take(key, scope, deadline).await?;
    }
    let room = match limits.bulkhead {
        Some((bulkhead, key)) => Some(bulkhead.acquire(key, scope, deadline).await?),
        None => None,
    };
    let permits = acquire(limits.permits, scope, deadline).await?;
    Ok(Held {
        _permits: permits,
        _room: room,
    })
}
