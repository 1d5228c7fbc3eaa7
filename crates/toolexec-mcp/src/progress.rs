//! `notifications/progress` from the executor's lifecycle events of one call.

use std::future::Future;

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use rmcp::RoleServer;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::broadcast::Receiver;
use toolexec::{Envelope, ExecutionEvent};

/// Reports one call's progress to the client under the request's progress token.
///
/// Each attempt that starts or fails, each retry scheduled and each progress report of
/// the tool becomes a notification with a message such as `retrying in 20 ms (attempt
/// 3)` or `progress 3/10: 3 of 10 files`, so the client
/// can show what happens and keep a progress-reset idle timeout from firing while the
/// executor retries. `progress` counts the notifications sent; there is no total.
pub(crate) struct Progress {
    events: Receiver<ExecutionEvent>,
    call_id: String,
    token: ProgressToken,
    peer: Peer<RoleServer>,
    sent: u32,
}

impl Progress {
    /// Subscribe to `events` before the call starts, so no event is missed.
    pub(crate) fn new(
        events: Receiver<ExecutionEvent>,
        call_id: String,
        token: ProgressToken,
        peer: Peer<RoleServer>,
    ) -> Self {
        Self {
            events,
            call_id,
            token,
            peer,
            sent: 0,
        }
    }

    /// Runs `execution` to its envelope, reporting its events as they come and those
    /// still buffered when it ends, all before the result is returned.
    pub(crate) async fn around(mut self, execution: impl Future<Output = Envelope>) -> Envelope {
        let mut execution = std::pin::pin!(execution);
        loop {
            tokio::select! {
                biased;
                envelope = &mut execution => {
                    self.flush().await;
                    return envelope;
                }
                message = self.next() => self.send(message).await,
            }
        }
    }

    /// The next message about this call. Cancel-safe: an event is taken only when
    /// its message is returned.
    async fn next(&mut self) -> String {
        loop {
            match self.events.recv().await {
                Ok(event) => {
                    if let Some(message) = self.describe(&event) {
                        return message;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => std::future::pending().await,
            }
        }
    }

    async fn flush(&mut self) {
        loop {
            match self.events.try_recv() {
                Ok(event) => {
                    if let Some(message) = self.describe(&event) {
                        self.send(message).await;
                    }
                }
                Err(TryRecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    }

    async fn send(&mut self, message: String) {
        self.sent += 1;
        let progress = ProgressNotificationParam::new(self.token.clone(), f64::from(self.sent))
            .with_message(message);
        // A client that cannot take the notification still gets the result.
        let _ = self.peer.notify_progress(progress).await;
    }

    fn describe(&self, event: &ExecutionEvent) -> Option<String> {
        if event.call_id() != self.call_id {
            return None;
        }
        match event {
            ExecutionEvent::AttemptStarted { attempt, .. } => Some(format!("attempt {attempt}")),
            ExecutionEvent::AttemptFailed {
                attempt,
                kind,
                message,
                ..
            } => Some(format!("attempt {attempt} failed: {kind}: {message}")),
            ExecutionEvent::RetryScheduled {
                next_attempt,
                delay_ms,
                ..
            } => Some(format!(
                "retrying in {delay_ms:.0} ms (attempt {next_attempt})"
            )),
            ExecutionEvent::Progress { .. } => event.progress_text(),
            _ => None,
        }
    }
}
