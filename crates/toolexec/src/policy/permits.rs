//! The concurrency permits an attempt holds: taken at once when free, else waited for
//! in a boxed future, racing the batch's cancellation and the call's deadline.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::failure::AttemptFailure;
use crate::scope::Scope;

/// The permits an attempt holds: the batch's (if it has a limit) and the executor's.
pub(crate) type Permits = (Option<OwnedSemaphorePermit>, OwnedSemaphorePermit);

/// An executor permit at once, when the batch has no limit of its own, the call is
/// neither cancelled nor past its deadline, and a permit is free.
fn try_acquire_now(
    global: &Arc<Semaphore>,
    scope: &Scope,
    deadline: Option<Instant>,
) -> Option<Permits> {
    if scope.permits.is_some()
        || scope.cancel.is_cancelled()
        || deadline.is_some_and(|d| Instant::now() >= d)
    {
        return None;
    }
    let permit = global.clone().try_acquire_owned().ok()?;
    Some((None, permit))
}

/// A batch permit (if the batch has its own limit) and an executor permit: at once
/// when one is free, else by waiting in a boxed future, so that only queued calls
/// pay for the waiting machinery.
pub(crate) async fn acquire(
    global: &Arc<Semaphore>,
    scope: &Scope,
    deadline: Option<Instant>,
) -> Result<Permits, AttemptFailure> {
    match try_acquire_now(global, scope, deadline) {
        Some(permits) => Ok(permits),
        None => Box::pin(wait_for_permits(global, scope, deadline)).await,
    }
}

/// Waits for a batch permit (if the batch has its own limit) and an executor permit.
async fn wait_for_permits(
    global: &Arc<Semaphore>,
    scope: &Scope,
    deadline: Option<Instant>,
) -> Result<Permits, AttemptFailure> {
    if scope.cancel.is_cancelled() {
        return Err(AttemptFailure::cancelled("call cancelled before it ran"));
    }
    let acquire = async {
        let batch = match &scope.permits {
            Some(limit) => Some(limit.clone().acquire_owned().await.ok()?),
            None => None,
        };
        let global = global.clone().acquire_owned().await.ok()?;
        Some((batch, global))
    };
    let wait_deadline = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        _ = scope.cancel.cancelled() => Err(AttemptFailure::cancelled("call cancelled while waiting for a permit")),
        _ = wait_deadline => Err(AttemptFailure::deadline("deadline reached while waiting for a concurrency permit".into())),
        permits = acquire => match permits {
            Some(_) if deadline.is_some_and(|d| Instant::now() >= d) => Err(AttemptFailure::deadline(
                "deadline reached while waiting for a concurrency permit".into(),
            )),
            Some(permits) => Ok(permits),
            None => Err(AttemptFailure::cancelled("executor closed")),
        },
    }
}
