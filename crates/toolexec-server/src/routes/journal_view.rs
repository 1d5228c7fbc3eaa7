//! Batches read back from the journal, shown as the API shows a batch: for
//! `GET /v1/batches/{id}` when the batch is not in memory (an earlier process's, or one
//! no longer kept).

use std::sync::Arc;

use toolexec::Envelope;
use toolexec_journal::{BatchDetail, JournalError};

use crate::error::ApiError;
use crate::routes::batch_view::{BatchStatus, BatchView, CallProgress};
use crate::state::AppState;

/// The journal could not be read: a fault of the server (500).
pub(crate) fn unreadable(error: JournalError) -> ApiError {
    ApiError::Internal(format!("the journal cannot be read: {error}"))
}

/// A journaled batch as the API shows it, or `None` when the journal does not hold it
/// (or there is no journal).
pub(crate) fn batch_view(state: &AppState, id: &str) -> Result<Option<BatchView>, ApiError> {
    let Some(journal) = state.journal() else {
        return Ok(None);
    };
    let Some(detail) = journal.store().batch(id).map_err(unreadable)? else {
        return Ok(None);
    };
    Ok(Some(view_of(detail)?))
}

fn view_of(detail: BatchDetail) -> Result<BatchView, ApiError> {
    let mut envelopes = Vec::with_capacity(detail.calls.len());
    let mut calls = Vec::with_capacity(detail.calls.len());
    for call in &detail.calls {
        match &call.envelope_json {
            Some(json) => {
                let envelope: Envelope = serde_json::from_str(json).map_err(|e| {
                    ApiError::Internal(format!("a journaled envelope cannot be read: {e}"))
                })?;
                calls.push(CallProgress::of_envelope(&envelope));
                envelopes.push(envelope);
            }
            None => calls.push(CallProgress {
                call_id: call.call_id.clone(),
                tool_name: call.tool.clone(),
                status: if call.started_at_ms.is_some() {
                    "running"
                } else {
                    "pending"
                }
                .into(),
                attempt: 0,
                success: None,
                execution_time_ms: None,
            }),
        }
    }
    let done = envelopes.len() == detail.calls.len();
    Ok(BatchView {
        batch_id: detail.summary.id,
        status: if done {
            BatchStatus::Done
        } else {
            BatchStatus::Running
        },
        cancelled: false,
        total: detail.calls.len(),
        completed: envelopes.len(),
        calls,
        envelopes: done.then(|| Arc::new(envelopes)),
        redrive_of: detail.summary.redrive_of,
        interrupted: detail.summary.interrupted,
    })
}
