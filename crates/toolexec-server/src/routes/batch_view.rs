//! How a batch is shown: its status, each call's progress, and the envelopes once done.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::batches::Batch;
use crate::AppState;

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
}

/// A batch as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchView {
    /// The batch's id, for `GET /v1/batches/{id}`.
    pub batch_id: String,
    /// `running` or `done`.
    pub status: BatchStatus,
    /// Calls in the batch.
    pub total: usize,
    /// Calls that have finished.
    pub completed: usize,
    /// Every call's progress, in request order.
    pub calls: Vec<CallProgress>,
    /// Every call's envelope, in request order, once the batch is done.
    #[schema(value_type = Option<Vec<Object>>)]
    pub envelopes: Option<Arc<Vec<toolexec::Envelope>>>,
}

impl BatchView {
    pub(crate) fn of(batch: &Batch, state: &AppState) -> Self {
        let envelopes = batch.envelopes();
        let calls: Vec<CallProgress> = match &envelopes {
            Some(done) => done
                .iter()
                .map(|e| CallProgress {
                    call_id: e.call_id.to_string(),
                    tool_name: e.tool_name.to_string(),
                    status: e.status.as_str().to_owned(),
                    attempt: e.attempts,
                })
                .collect(),
            None => batch
                .calls
                .iter()
                .map(
                    |(call_id, tool)| match state.executor().call_status(call_id) {
                        Some(live) => CallProgress {
                            call_id: call_id.clone(),
                            tool_name: tool.clone(),
                            status: live.status.as_str().to_owned(),
                            attempt: live.attempt,
                        },
                        None => CallProgress {
                            call_id: call_id.clone(),
                            tool_name: tool.clone(),
                            status: "pending".into(),
                            attempt: 0,
                        },
                    },
                )
                .collect(),
        };
        let completed = match &envelopes {
            Some(done) => done.len(),
            None => calls
                .iter()
                .filter(|c| !matches!(c.status.as_str(), "pending" | "running" | "retrying"))
                .count(),
        };
        Self {
            batch_id: batch.id.clone(),
            status: if envelopes.is_some() {
                BatchStatus::Done
            } else {
                BatchStatus::Running
            },
            total: batch.calls.len(),
            completed,
            calls,
            envelopes,
        }
    }
}
