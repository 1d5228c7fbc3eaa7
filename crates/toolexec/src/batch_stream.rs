//! [`BatchStream`]: a batch's envelopes as its calls end, each with its index in the
//! request.
//!
//! The stream drives the same batch as
//! [`Executor::execute_batch`](crate::Executor::execute_batch) (`batch::run`, with its
//! envelopes sent on rather than kept): the same limits, deadlines, failure modes and
//! cancellation. Dropping the stream drops the batch, which cancels and records every
//! call still running or waiting.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;

use crate::batch::{self, BatchOptions, Delivery, Feed, Indexed, Outbox};
use crate::call::engine_fault;
use crate::inner::Inner;
use crate::{Envelope, ToolCall};

/// The batch itself, run to its end by whoever polls the stream.
type Driver = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The envelopes of a batch in the order its calls end, each as `(index, envelope)`
/// with `index` the call's position in the request; see
/// [`Executor::execute_batch_stream`](crate::Executor::execute_batch_stream).
///
/// It yields exactly one item per call and then ends. Nothing runs until it is first
/// polled; dropping it cancels the calls still running or waiting, and each of them is
/// still recorded once, as `cancelled`.
#[must_use = "a stream does nothing unless polled"]
pub struct BatchStream {
    driver: Option<Driver>,
    outbox: Arc<Outbox>,
    /// The envelopes taken from the outbox and not yielded yet.
    ready: VecDeque<Indexed>,
    /// Which calls have been yielded, to answer any the batch did not (see `unanswered`).
    yielded: Vec<bool>,
    remaining: usize,
}

impl fmt::Debug for BatchStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchStream")
            .field("running", &self.driver.is_some())
            .field("remaining", &self.remaining)
            .finish()
    }
}

impl BatchStream {
    /// The stream of the batch of `calls` on `inner`'s executor; with a `feed`, `calls`
    /// are the first of the batch and the rest arrive through it.
    pub(crate) fn new(
        inner: Arc<Inner>,
        calls: Vec<ToolCall>,
        options: BatchOptions,
        feed: Option<Feed>,
    ) -> Self {
        let total = feed.as_ref().map_or(calls.len(), Feed::total);
        let outbox = Arc::new(Outbox::default());
        let delivery = Delivery::Stream(outbox.clone());
        let driver = Box::pin(async move {
            let kept = batch::run(&inner, calls, options, delivery, feed).await;
            debug_assert!(kept.is_empty(), "a streamed batch keeps no envelope");
        });
        Self {
            driver: Some(driver),
            outbox,
            ready: VecDeque::new(),
            yielded: vec![false; total],
            remaining: total,
        }
    }

    /// Calls of the batch not yielded yet.
    pub fn remaining(&self) -> usize {
        self.remaining
    }

    /// The next envelope taken from the outbox already, if any.
    fn next_ready(&mut self) -> Option<Indexed> {
        let item = self.ready.pop_front()?;
        self.yielded(item)
    }

    fn yielded(&mut self, (index, envelope): Indexed) -> Option<Indexed> {
        if let Some(seen) = self.yielded.get_mut(index) {
            if !*seen {
                *seen = true;
                self.remaining -= 1;
            }
        }
        Some((index, envelope))
    }

    /// Once the batch has ended, an engine fault for a call it did not answer (which
    /// the call path never lets happen; a batch still answers every call).
    fn unanswered(&mut self) -> Option<Indexed> {
        if self.remaining == 0 {
            return None;
        }
        let index = self.yielded.iter().position(|seen| !seen)?;
        let message = "the call's lane ended without an envelope";
        let envelope = engine_fault("unknown".into(), "unknown".into(), 0, message);
        self.yielded((index, envelope))
    }
}

impl Stream for BatchStream {
    type Item = (usize, Envelope);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Indexed>> {
        let this = &mut *self;
        // Envelopes already handed over are yielded without polling the batch: a wave
        // of calls ending together is then one poll of the batch, not one per envelope.
        if let Some(item) = this.next_ready() {
            return Poll::Ready(Some(item));
        }
        this.outbox.take(&mut this.ready);
        if let Some(item) = this.next_ready() {
            return Poll::Ready(Some(item));
        }
        // Then the batch: it starts the lanes and lends lanes to calls in backoff,
        // which must go on while the reader drains envelopes.
        if let Some(driver) = this.driver.as_mut() {
            if driver.as_mut().poll(cx).is_ready() {
                this.driver = None;
            }
        }
        this.outbox.take_or_register(&mut this.ready, cx);
        if let Some(item) = this.next_ready() {
            return Poll::Ready(Some(item));
        }
        // Once the batch has ended, no lane is left to hand anything over.
        match this.driver {
            Some(_) => Poll::Pending,
            None => Poll::Ready(this.unanswered()),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}
