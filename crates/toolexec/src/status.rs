//! Live status per call id and the broadcast stream of lifecycle events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use serde::Serialize;
use tokio::sync::broadcast;

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
            | Self::Finished { call_id, .. } => call_id,
        }
    }
}

/// Live statuses and the event channel.
pub(crate) struct StatusBoard {
    live: DashMap<Arc<str>, LiveEntry>,
    events: broadcast::Sender<ExecutionEvent>,
    /// Whether anyone ever subscribed: until then `emit` skips the channel, whose
    /// receiver count sits behind a lock that every call would otherwise take
    /// several times.
    subscribed: AtomicBool,
}

/// A live status as kept in the board: the call id is the key, not stored twice (a
/// million calls in flight are a million entries).
struct LiveEntry {
    sequence: u64,
    tool_name: Arc<str>,
    status: CallStatus,
    attempt: u32,
}

impl LiveEntry {
    fn status(&self, call_id: &Arc<str>) -> LiveStatus {
        LiveStatus {
            call_id: call_id.clone(),
            tool_name: self.tool_name.clone(),
            status: self.status,
            attempt: self.attempt,
        }
    }
}

impl StatusBoard {
    pub(crate) fn new(event_capacity: usize) -> Self {
        let (events, _) = broadcast::channel(event_capacity.max(1));
        Self {
            live: DashMap::new(),
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

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ExecutionEvent> {
        let receiver = self.events.subscribe();
        self.subscribed.store(true, Ordering::Release);
        receiver
    }

    pub(crate) fn set(&self, sequence: u64, status: LiveStatus) {
        let entry = LiveEntry {
            sequence,
            tool_name: status.tool_name,
            status: status.status,
            attempt: status.attempt,
        };
        self.live.insert(status.call_id, entry);
    }

    pub(crate) fn update(&self, call_id: &str, sequence: u64, status: CallStatus, attempt: u32) {
        if let Some(mut entry) = self.live.get_mut(call_id) {
            if entry.sequence == sequence {
                entry.status = status;
                entry.attempt = attempt;
            }
        }
    }

    pub(crate) fn remove(&self, call_id: &str, sequence: u64) {
        self.live
            .remove_if(call_id, |_, entry| entry.sequence == sequence);
    }

    pub(crate) fn get(&self, call_id: &str) -> Option<LiveStatus> {
        self.live
            .get(call_id)
            .map(|entry| entry.value().status(entry.key()))
    }

    pub(crate) fn in_flight(&self) -> Vec<LiveStatus> {
        self.live
            .iter()
            .map(|entry| entry.value().status(entry.key()))
            .collect()
    }
}
