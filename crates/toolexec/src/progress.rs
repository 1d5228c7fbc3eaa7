//! Progress an attempt reports ([`Progress`]) and what keeps it ([`ProgressSink`]):
//! the instant of the last report, which the attempt's idle timer reads, and whoever
//! turns reports into events.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

/// How far a tool has come, as it reports through
/// [`CallContext::report_progress`](crate::CallContext::report_progress).
///
/// Each report resets the attempt's idle timer
/// ([`CallPolicy::idle_timeout`](crate::CallPolicy::idle_timeout)) and becomes an
/// [`ExecutionEvent::Progress`](crate::ExecutionEvent::Progress) for subscribers.
/// The numbers are the tool's own: `progress` should grow with each report, `total`
/// is the value `progress` reaches when done, if known (MCP's progress notification).
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The progress so far.
    pub progress: f64,
    /// The progress at the end, when known.
    pub total: Option<f64>,
    /// What the tool is doing, for people.
    pub message: Option<String>,
}

impl Progress {
    /// Progress `progress`, with no total and no message.
    #[must_use]
    pub fn new(progress: f64) -> Self {
        Self {
            progress,
            total: None,
            message: None,
        }
    }

    /// Sets the total.
    #[must_use]
    pub fn with_total(mut self, total: f64) -> Self {
        self.total = Some(total);
        self
    }

    /// Sets the message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// Whoever hears an attempt's reports (the call's events).
pub(crate) trait ProgressListener: Send + Sync {
    /// Attempt `attempt` reported `progress`.
    fn progress(&self, attempt: u32, progress: Progress);
}

/// What one attempt's reports go to. Made only for an attempt that has an idle timeout
/// or whose events someone may hear, so a call with neither pays nothing.
pub(crate) struct ProgressSink {
    /// When the attempt started.
    origin: Instant,
    /// Nanoseconds from `origin` to the last report (0: none yet).
    last: AtomicU64,
    /// The attempt's idle timeout, if any.
    idle: Option<Duration>,
    attempt: u32,
    listener: Option<Arc<dyn ProgressListener>>,
}

impl ProgressSink {
    /// The sink of attempt `attempt`, started at `origin`.
    pub(crate) fn new(
        origin: Instant,
        idle: Option<Duration>,
        attempt: u32,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> Self {
        Self {
            origin,
            last: AtomicU64::new(0),
            idle,
            attempt,
            listener,
        }
    }

    /// Records a report now and hands it to the listener.
    pub(crate) fn report(&self, progress: Progress) {
        let since = Instant::now().saturating_duration_since(self.origin);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX);
        self.last.fetch_max(nanos, Ordering::AcqRel);
        if let Some(listener) = &self.listener {
            listener.progress(self.attempt, progress);
        }
    }

    /// The attempt's idle timeout, if any.
    pub(crate) fn idle(&self) -> Option<Duration> {
        self.idle
    }

    /// When the last report came, or the attempt's start before any.
    pub(crate) fn last_report(&self) -> Instant {
        let nanos = self.last.load(Ordering::Acquire);
        self.origin
            .checked_add(Duration::from_nanos(nanos))
            .unwrap_or(self.origin)
    }
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressSink")
            .field("attempt", &self.attempt)
            .field("idle", &self.idle)
            .field("last_report", &self.last_report())
            .field("listened", &self.listener.is_some())
            .finish()
    }
}
