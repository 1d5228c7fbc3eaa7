//! Live status per call id and the broadcast stream of lifecycle events.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use serde::Serialize;
use smallvec::SmallVec;
use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::{CallStatus, ErrorKind};

/// Where an in-flight call stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveStatus {
    /// The call's id.
    pub call_id: Arc<str>,
    /// The tool it calls.
    pub tool_name: Arc<str>,
    /// `pending`, `running` or `retrying` while in flight; the final status after.
    pub status: CallStatus,
    /// The attempt running, or about to run when retrying (0 before the first).
    pub attempt: u32,
}

/// One step in a call's life, as sent to every subscriber.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ExecutionEvent {
    /// The call was accepted.
    Started {
        /// The call's id.
        call_id: Arc<str>,
        /// The tool.
        tool_name: Arc<str>,
    },
    /// An attempt began.
    AttemptStarted {
        /// The call's id.
        call_id: Arc<str>,
        /// The tool.
        tool_name: Arc<str>,
        /// The attempt number, from 1.
        attempt: u32,
        /// Whether it is a hedge, started beside a slow attempt (absent when not).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        hedge: bool,
    },
    /// An attempt failed.
    AttemptFailed {
        /// The call's id.
        call_id: Arc<str>,
        /// The tool.
        tool_name: Arc<str>,
        /// The attempt number.
        attempt: u32,
        /// The failure's kind.
        kind: ErrorKind,
        /// The failure's message.
        message: String,
    },
    /// Another attempt will run after a delay.
    RetryScheduled {
        /// The call's id.
        call_id: Arc<str>,
        /// The tool.
        tool_name: Arc<str>,
        /// The attempt that will run.
        next_attempt: u32,
        /// The backoff before it.
        delay_ms: f64,
    },
    /// The running attempt reported progress
    /// ([`CallContext::report_progress`](crate::CallContext::report_progress)).
    Progress {
        /// The call's id.
        call_id: Arc<str>,
        /// The tool.
        tool_name: Arc<str>,
        /// The attempt that reported it.
        attempt: u32,
        /// The progress so far, in the tool's own units.
        progress: f64,
        /// The progress at the end, when the tool knows it.
        #[serde(skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
        /// What the tool is doing (at most 1 KiB).
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The call ended; its envelope is ready.
    Finished {
        /// The call's id.
        call_id: Arc<str>,
        /// The tool.
        tool_name: Arc<str>,
        /// The final status.
        status: CallStatus,
        /// Whether the envelope holds an answer.
        success: bool,
        /// Whether a fallback gave it.
        fallback: bool,
        /// Attempts made.
        attempts: u32,
        /// The call's duration.
        execution_time_ms: f64,
        /// The kind of its last error (`rate_limited`, `concurrency_limited`,
        /// `circuit_open`...), absent when it succeeded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_kind: Option<ErrorKind>,
        /// What stopped a retry its failure allowed (`"retry_budget"`), absent otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_stopped_by: Option<Cow<'static, str>>,
    },
}

impl ExecutionEvent {
    /// The id of the call the event is about.
    pub fn call_id(&self) -> &str {
        match self {
            Self::Started { call_id, .. }
            | Self::AttemptStarted { call_id, .. }
            | Self::AttemptFailed { call_id, .. }
            | Self::RetryScheduled { call_id, .. }
            | Self::Progress { call_id, .. }
            | Self::Finished { call_id, .. } => call_id,
        }
    }

    /// For a progress event, its report as one line: `progress 3/10: 3 of 10 files`
    /// (the total and message when the tool gave them); `None` for other events.
    pub fn progress_text(&self) -> Option<String> {
        let Self::Progress {
            progress,
            total,
            message,
            ..
        } = self
        else {
            return None;
        };
        let total = total.map(|t| format!("/{t}")).unwrap_or_default();
        let message = message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        Some(format!("progress {progress}{total}{message}"))
    }
}

/// The cells of the calls in flight under one id.
type Cells = SmallVec<[Arc<LiveCell>; 1]>;

/// Live statuses and the event channel.
pub(crate) struct StatusBoard {
    /// Keyed by call id; foldhash, seeded per map, hashes a short id in a fraction of
    /// SipHash's time. Calls may share an id (two batches numbering theirs from 1):
    /// each keeps its own cell, oldest first, and almost every id has just one.
    live: DashMap<Arc<str>, Cells, foldhash::fast::RandomState>,
    events: broadcast::Sender<ExecutionEvent>,
    /// Whether anyone ever subscribed: until then `emit` skips the channel, whose
    /// receiver count sits behind a lock that every call would otherwise take
    /// several times.
    subscribed: AtomicBool,
}

/// One call's live status, shared by the board (keyed by call id) and the running call,
/// which updates it with one atomic store instead of a map lookup under a lock.
pub(crate) struct LiveCell {
    sequence: u64,
    call_id: Arc<str>,
    tool_name: Arc<str>,
    /// When the call was accepted.
    start: Instant,
    /// The status's index in [`STATUSES`] in the high half, the attempt in the low half.
    state: AtomicU64,
}

/// Every status, in declaration order, so that `status as u64` indexes it.
const STATUSES: [CallStatus; 9] = [
    CallStatus::Pending,
    CallStatus::Running,
    CallStatus::Retrying,
    CallStatus::Success,
    CallStatus::Failed,
    CallStatus::Timeout,
    CallStatus::Cancelled,
    CallStatus::Rejected,
    CallStatus::Interrupted,
];

fn pack(status: CallStatus, attempt: u32) -> u64 {
    ((status as u64) << 32) | u64::from(attempt)
}

fn unpack(state: u64) -> (CallStatus, u32) {
    let status = STATUSES[(state >> 32) as usize % STATUSES.len()];
    (status, state as u32)
}

impl LiveCell {
    /// Records where the call stands now.
    pub(crate) fn set(&self, status: CallStatus, attempt: u32) {
        self.state.store(pack(status, attempt), Ordering::Release);
    }

    /// The call's id.
    pub(crate) fn call_id(&self) -> &Arc<str> {
        &self.call_id
    }

    /// The call's tool.
    pub(crate) fn tool_name(&self) -> &Arc<str> {
        &self.tool_name
    }

    /// When the call was accepted.
    pub(crate) fn start(&self) -> Instant {
        self.start
    }

    /// Where the call stands now: its status and attempt.
    pub(crate) fn get(&self) -> (CallStatus, u32) {
        unpack(self.state.load(Ordering::Acquire))
    }

    fn status(&self, call_id: &Arc<str>) -> LiveStatus {
        let (status, attempt) = unpack(self.state.load(Ordering::Acquire));
        LiveStatus {
            call_id: call_id.clone(),
            tool_name: self.tool_name.clone(),
            status,
            attempt,
        }
    }
}

impl StatusBoard {
    pub(crate) fn new(event_capacity: usize) -> Self {
        let (events, _) = broadcast::channel(event_capacity.max(1));
        Self {
            live: DashMap::default(),
            events,
            subscribed: AtomicBool::new(false),
        }
    }

    /// Sends an event if anyone listens; `make` runs only then.
    pub(crate) fn emit(&self, make: impl FnOnce() -> ExecutionEvent) {
        if self.subscribed.load(Ordering::Acquire) && self.events.receiver_count() > 0 {
            let _ = self.events.send(make());
        }
    }

    /// Whether anyone ever subscribed, so that events may be heard (one atomic load).
    pub(crate) fn has_subscribers(&self) -> bool {
        self.subscribed.load(Ordering::Acquire)
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ExecutionEvent> {
        let receiver = self.events.subscribe();
        self.subscribed.store(true, Ordering::Release);
        receiver
    }

    /// Adds a call's status (beside any other call in flight under the same id) and
    /// hands back the cell through which the call updates it.
    pub(crate) fn set(&self, sequence: u64, start: Instant, status: LiveStatus) -> Arc<LiveCell> {
        let cell = Arc::new(LiveCell {
            sequence,
            call_id: status.call_id.clone(),
            tool_name: status.tool_name,
            start,
            state: AtomicU64::new(pack(status.status, status.attempt)),
        });
        self.live
            .entry(status.call_id)
            .or_default()
            .push(cell.clone());
        cell
    }

    /// Removes a call's status, leaving those of other calls with the same id.
    pub(crate) fn remove(&self, call_id: &str, sequence: u64) {
        self.live.remove_if_mut(call_id, |_, cells| {
            cells.retain(|cell| cell.sequence != sequence);
            cells.is_empty()
        });
    }

    /// The status of the newest call in flight under `call_id`.
    pub(crate) fn get(&self, call_id: &str) -> Option<LiveStatus> {
        let entry = self.live.get(call_id)?;
        entry.value().last().map(|cell| cell.status(entry.key()))
    }

    pub(crate) fn in_flight(&self) -> Vec<LiveStatus> {
        let mut statuses = Vec::with_capacity(self.live.len());
        for entry in self.live.iter() {
            statuses.extend(entry.value().iter().map(|cell| cell.status(entry.key())));
        }
        statuses
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_attempt_survives_packing() {
        for status in STATUSES {
            for attempt in [0, 1, 7, u32::MAX] {
                assert_eq!(unpack(pack(status, attempt)), (status, attempt));
            }
        }
    }
}
