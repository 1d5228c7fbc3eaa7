//! How a batch is shown: its status, each call's progress, and the envelopes once done.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use toolexec::{Envelope, LiveStatus};
use utoipa::ToSchema;

use crate::batch_store::Batch;
use crate::state::AppState;

/// Whether a batch is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Some calls have no envelope yet.
    Running,
    /// Every call has its envelope.
    Done,
}

/// Where one call of a batch stands.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CallProgress {
    /// The call's id (given, or `<batch_id>-<index>`).
    pub call_id: String,
    /// The tool.
    pub tool_name: String,
    /// `pending`, `running`, `retrying`, or the final status.
    pub status: String,
    /// The attempt running, or attempts made once final.
    pub attempt: u32,
    /// Whether the call's envelope holds an answer, once final.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// The call's duration, once final.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_time_ms: Option<f64>,
}

/// A batch as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchView {
    /// The batch's id, for `GET /v1/batches/{id}`.
    pub batch_id: String,
    /// `running` or `done`.
    pub status: BatchStatus,
    /// Whether the batch was cancelled (`DELETE /v1/batches/{id}`).
    pub cancelled: bool,
    /// Calls in the batch.
    pub total: usize,
    /// Calls that have finished.
    pub completed: usize,
    /// Every call's progress, in request order; a finished call shows its final status,
    /// attempts, success and duration before the whole batch is done.
    pub calls: Vec<CallProgress>,
    /// Every call's envelope, in request order, once the batch is done.
    #[schema(value_type = Option<Vec<Object>>)]
    pub envelopes: Option<Arc<Vec<toolexec::Envelope>>>,
    /// The batch whose failed calls this one re-runs (a redrive); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrive_of: Option<String>,
    /// Whether the process running the batch ended before it did (read back from the
    /// journal); absent when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

impl BatchView {
    pub(crate) fn of(batch: &Batch, state: &AppState) -> Self {
        let envelopes = batch.envelopes();
        let calls = match &envelopes {
            Some(done) => done.iter().map(CallProgress::of_envelope).collect(),
            None => progress_so_far(batch, state),
        };
        let completed = calls.iter().filter(|c| c.success.is_some()).count();
        Self {
            batch_id: batch.id.clone(),
            status: if envelopes.is_some() {
                BatchStatus::Done
            } else {
                BatchStatus::Running
            },
            cancelled: batch.is_cancelled(),
            total: batch.calls.len(),
            completed,
            calls,
            envelopes,
            redrive_of: batch.redrive_of.clone(),
            interrupted: false,
        }
    }
}

impl CallProgress {
    pub(crate) fn of_envelope(envelope: &Envelope) -> Self {
        Self {
            call_id: envelope.call_id.to_string(),
            tool_name: envelope.tool_name.to_string(),
            status: envelope.status.as_str().to_owned(),
            attempt: envelope.attempts,
            success: Some(envelope.success),
            execution_time_ms: Some(envelope.execution_time_ms),
        }
    }
}

/// A running batch's calls: finished ones from the batch's own record, the others from
/// one snapshot of the calls in flight (see [`crate::watchlist`]).
fn progress_so_far(batch: &Batch, state: &AppState) -> Vec<CallProgress> {
    let in_flight: HashMap<Arc<str>, LiveStatus> = state
        .executor()
        .in_flight()
        .into_iter()
        .map(|live| (live.call_id.clone(), live))
        .collect();
    batch
        .calls
        .iter()
        .zip(batch.finished_calls())
        .map(|((call_id, tool), finished)| {
            let mut progress = CallProgress {
                call_id: call_id.clone(),
                tool_name: tool.clone(),
                status: "pending".into(),
                attempt: 0,
                success: None,
                execution_time_ms: None,
            };
            if let Some(done) = finished {
                progress.status = done.status.as_str().to_owned();
                progress.attempt = done.attempts;
                progress.success = Some(done.success);
                progress.execution_time_ms = Some(done.execution_time_ms);
            } else if let Some(live) = in_flight.get(call_id.as_str()) {
                progress.status = live.status.as_str().to_owned();
                progress.attempt = live.attempt;
            }
            progress
        })
        .collect()
}
