//! [`drain`]: the work half of a graceful stop. The socket half (no new connections,
//! then closing the open ones) is [`crate::serve_listener`]'s.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;

use crate::batch_store::Batch;
use crate::state::AppState;

/// How long a stop waits for the envelopes of the batches it cancelled, as
/// `DELETE /v1/batches/{id}` does.
pub(crate) const CANCELLED_WAIT: Duration = Duration::from_secs(5);

/// What a stop did with the batches running when it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Drained {
    /// Batches that finished on their own within the grace period.
    pub finished: usize,
    /// Batches still running when the grace period ended, cancelled then: their
    /// unfinished calls ended `cancelled`.
    pub cancelled: usize,
    /// Of the cancelled batches, those whose envelopes were still missing
    /// `CANCELLED_WAIT` (5 s) after the cancel.
    pub unfinished: usize,
}

/// Stops the state's work gracefully, and returns once it is done:
///
/// 1. From now on `POST /v1/batches` and `POST /v1/ask` answer 503 `shutting_down`
///    and `/healthz` answers 503 with `"status": "stopping"`; reads are still served.
/// 2. Waits until every batch running now has finished, or
///    [`crate::Limits::shutdown_grace`] has passed, or [`AppState::end_grace`] is
///    called.
/// 3. Cancels the batches still running (their unfinished calls end `cancelled`, with
///    envelopes, so that `wait=true` requests are answered), and waits up to 5 s for
///    their envelopes.
/// 4. Ends every open event stream.
///
/// [`crate::serve_listener`] calls it when its shutdown signal fires, before closing
/// connections; call it yourself when serving [`crate::app`] another way.
pub async fn drain(state: &AppState) -> Drained {
    let running = state.batches().close();
    let grace = state.limits().shutdown_grace;
    tracing::info!(
        running = running.len(),
        grace_ms = grace.as_millis(),
        "stopping: no new work; waiting for the running batches"
    );
    tokio::select! {
        _ = tokio::time::timeout(grace, all_done(&running)) => {}
        () = state.grace_ended().cancelled() => {}
    }
    let late: Vec<Arc<Batch>> = running.iter().filter(|b| !b.is_done()).cloned().collect();
    for batch in &late {
        batch.cancel();
    }
    if !late.is_empty() {
        tracing::info!(
            batches = late.len(),
            "stopping: cancelled the batches still running"
        );
        let _ = tokio::time::timeout(CANCELLED_WAIT, all_done(&late)).await;
    }
    state.close_streams();
    let drained = Drained {
        finished: running.len() - late.len(),
        cancelled: late.len(),
        unfinished: late.iter().filter(|b| !b.is_done()).count(),
    };
    tracing::info!(?drained, "stopping: the work is done");
    drained
}

async fn all_done(batches: &[Arc<Batch>]) {
    join_all(batches.iter().map(|batch| batch.wait())).await;
}
