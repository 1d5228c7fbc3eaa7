//! A batch whose calls are handed over while it runs.
//!
//! A caller that must convert its requests before they are calls (the Python API
//! converts 10,000 Python dicts in 7 to 12 ms) would otherwise hold back every call
//! until the last is converted. A fed batch starts with the calls it is given, and the
//! caller sends the rest through a [`BatchFeed`] as they are ready: they join the
//! batch's waiting calls in request order, and lanes are started for them when the
//! batch has fewer calls running than its limit.
//!
//! The batch knows its size from the start: it reserves its sequence numbers and its
//! envelopes (or stream items) for every call. If the feed is dropped before every call
//! was sent, the calls never sent are answered `cancelled`. A journaled batch is accepted
//! whole before any call starts (its accept record lists every call), so with a journal
//! the batch first waits for the whole feed.

use std::fmt;

use tokio::sync::mpsc;

use crate::call::engine_fault;
use crate::failure::AttemptFailure;
use crate::{CallStatus, Envelope, ToolCall};

/// Sends a fed batch the rest of its calls, in request order; see
/// [`Executor::execute_batch_stream_fed`](crate::Executor::execute_batch_stream_fed).
#[derive(Debug)]
pub struct BatchFeed {
    sender: mpsc::UnboundedSender<Vec<ToolCall>>,
    sent: usize,
    total: usize,
}

/// Why a [`BatchFeed`] refused calls.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The calls would take the batch past the size it was started with.
    #[error("the batch has {total} calls and {sent} were sent: {offered} more do not fit")]
    TooMany {
        /// The batch's size.
        total: usize,
        /// Calls sent so far (with the first ones).
        sent: usize,
        /// Calls offered in this send.
        offered: usize,
    },
    /// The batch has ended or was dropped: nothing receives the calls.
    #[error("the batch is gone: its calls were not sent")]
    BatchGone,
}

impl BatchFeed {
    /// Sends the next calls of the batch, in request order.
    ///
    /// # Errors
    ///
    /// [`FeedError::TooMany`] when they would make more calls than the batch's size
    /// (none is sent); [`FeedError::BatchGone`] when the batch no longer runs.
    pub fn send(&mut self, calls: Vec<ToolCall>) -> Result<(), FeedError> {
        if calls.len() > self.total - self.sent {
            return Err(FeedError::TooMany {
                total: self.total,
                sent: self.sent,
                offered: calls.len(),
            });
        }
        let offered = calls.len();
        self.sender.send(calls).map_err(|_| FeedError::BatchGone)?;
        self.sent += offered;
        Ok(())
    }

    /// Calls the batch still expects.
    pub fn remaining(&self) -> usize {
        self.total - self.sent
    }
}

/// The batch's end of a feed: the calls still to come.
pub(crate) struct Feed {
    total: usize,
    arrived: usize,
    receiver: mpsc::UnboundedReceiver<Vec<ToolCall>>,
}

impl fmt::Debug for Feed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Feed")
            .field("total", &self.total)
            .field("arrived", &self.arrived)
            .finish()
    }
}

/// A feed for a batch of `total` calls whose first `first` calls are given at its start.
pub(crate) fn feed(total: usize, first: usize) -> (BatchFeed, Feed) {
    let total = total.max(first);
    let (sender, receiver) = mpsc::unbounded_channel();
    let feed = BatchFeed {
        sender,
        sent: first,
        total,
    };
    let end = Feed {
        total,
        arrived: first,
        receiver,
    };
    (feed, end)
}

impl Feed {
    /// The batch's size.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// The request index of the next call to arrive.
    pub(crate) fn arrived(&self) -> usize {
        self.arrived
    }

    /// Whether calls are still to come.
    pub(crate) fn open(&self) -> bool {
        self.arrived < self.total
    }

    /// The next calls sent, in request order, or `None` once the feed is done: every
    /// call arrived, or the sender was dropped (see [`Feed::never_sent`]).
    pub(crate) async fn next(&mut self) -> Option<Vec<ToolCall>> {
        if !self.open() {
            return None;
        }
        let mut calls = self.receiver.recv().await?;
        calls.truncate(self.total - self.arrived);
        self.arrived += calls.len();
        Some(calls)
    }

    /// Every call still to come, appended to `calls` (for a batch that is accepted
    /// whole before it starts).
    pub(crate) async fn drain_into(&mut self, calls: &mut Vec<ToolCall>) {
        while let Some(more) = self.next().await {
            calls.extend(more);
        }
    }

    /// The envelopes of the calls that were never sent (the sender was dropped first),
    /// by request index.
    pub(crate) fn never_sent(&mut self) -> impl Iterator<Item = (usize, Envelope)> {
        let (from, total) = (self.arrived, self.total);
        self.arrived = total;
        let message = format!(
            "the batch's feed closed after {from} of {total} calls: this call was never sent"
        );
        (from..total).map(move |index| (index, never_sent_envelope(&message)))
    }
}

/// The envelope of a call its batch never received.
fn never_sent_envelope(message: &str) -> Envelope {
    let mut envelope = engine_fault("unknown".into(), "unknown".into(), 0, message);
    envelope.status = CallStatus::Cancelled;
    envelope.error = Some(AttemptFailure::cancelled(message).into_call_error());
    envelope
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(n: usize) -> Vec<ToolCall> {
        (0..n)
            .map(|i| ToolCall::new("t", serde_json::json!({ "i": i })))
            .collect()
    }

    #[test]
    fn a_feed_refuses_calls_past_the_batch_size_and_sends_none_of_them() {
        let (mut feed, _end) = feed(5, 2);
        assert_eq!(feed.remaining(), 3);
        let refused = feed.send(calls(4)).unwrap_err();
        assert_eq!(
            refused,
            FeedError::TooMany {
                total: 5,
                sent: 2,
                offered: 4
            }
        );
        assert_eq!(
            refused.to_string(),
            "the batch has 5 calls and 2 were sent: 4 more do not fit"
        );
        assert_eq!(feed.remaining(), 3);
        feed.send(calls(3)).unwrap();
        assert_eq!(feed.remaining(), 0);
    }

    #[test]
    fn a_feed_whose_batch_is_gone_says_so() {
        let (mut feed, end) = feed(3, 1);
        drop(end);
        assert_eq!(feed.send(calls(1)), Err(FeedError::BatchGone));
    }

    #[tokio::test]
    async fn calls_never_sent_are_answered_cancelled_with_their_count() {
        let (mut feed, mut end) = feed(4, 1);
        feed.send(calls(1)).unwrap();
        drop(feed);
        assert_eq!(end.next().await.map(|c| c.len()), Some(1));
        assert!(end.next().await.is_none());
        assert!(end.open());
        let missing: Vec<_> = end.never_sent().collect();
        assert_eq!(missing.iter().map(|m| m.0).collect::<Vec<_>>(), vec![2, 3]);
        let (_, envelope) = &missing[0];
        assert_eq!(envelope.status, CallStatus::Cancelled);
        assert!(!envelope.success);
        let error = envelope.error.as_ref().unwrap();
        assert_eq!(
            error.message,
            "the batch's feed closed after 2 of 4 calls: this call was never sent"
        );
        assert!(!end.open());
    }
}
