//! [`Feed`]: a running batch's envelopes in the order its calls end, for
//! `GET /v1/batches/{id}/stream`.
//!
//! Each reader keeps its own place in the feed (a count of envelopes read), so a client
//! that connects late reads the envelopes already finished first, and a slow client
//! never makes a fast one wait or miss anything. The feed holds each envelope once: in
//! a slot per call while the batch runs, then in the batch's envelopes in request order.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::watch;
use toolexec::Envelope;

/// The envelopes of one batch, in the order its calls ended.
#[derive(Debug)]
pub(crate) struct Feed {
    state: Mutex<State>,
    /// Bumped at each envelope and at the end, to wake the readers.
    changed: watch::Sender<u64>,
}

#[derive(Debug)]
struct State {
    /// A slot per call, in request order, while the batch runs.
    slots: Vec<Option<Envelope>>,
    /// Request indices, in the order the calls ended.
    order: Vec<u32>,
    /// Every envelope in request order, once the batch is done.
    done: Option<Arc<Vec<Envelope>>>,
}

/// What a reader gets from [`Feed::read_from`].
#[derive(Debug)]
pub(crate) struct Read {
    /// `(request index, envelope)` from the reader's place on, in the order they ended.
    pub(crate) envelopes: Vec<(usize, Envelope)>,
    /// Whether the batch is done (nothing will follow the envelopes read).
    pub(crate) done: bool,
}

impl Feed {
    /// The feed of a batch of `total` calls.
    pub(crate) fn new(total: usize) -> Self {
        Self {
            state: Mutex::new(State {
                slots: vec![None; total],
                order: Vec::new(),
                done: None,
            }),
            changed: watch::Sender::new(0),
        }
    }

    /// The call at `index` ended with `envelope`.
    pub(crate) fn push(&self, index: usize, envelope: Envelope) {
        {
            let mut state = self.state.lock();
            let Some(slot) = state.slots.get_mut(index) else {
                return;
            };
            if slot.replace(envelope).is_none() {
                state.order.push(index as u32);
            }
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// The batch is done: its envelopes move, in request order, to what `keep` makes of
    /// them (the batch's own record), which the feed then reads them from.
    pub(crate) fn finish(&self, keep: impl FnOnce(Vec<Envelope>) -> Arc<Vec<Envelope>>) {
        {
            let mut state = self.state.lock();
            let slots = std::mem::take(&mut state.slots);
            state.done = Some(keep(slots.into_iter().flatten().collect()));
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// A receiver that wakes when the feed changes; take it before reading, so that no
    /// change between a read and the wait is missed.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The envelopes from place `from` on (at most `max`), and whether the batch is done.
    pub(crate) fn read_from(&self, from: usize, max: usize) -> Read {
        let state = self.state.lock();
        let envelope = |index: usize| match &state.done {
            Some(done) => done.get(index).cloned(),
            None => state.slots.get(index).cloned().flatten(),
        };
        let envelopes = state
            .order
            .iter()
            .skip(from)
            .take(max)
            .filter_map(|&index| Some((index as usize, envelope(index as usize)?)))
            .collect::<Vec<_>>();
        let read_all = from + envelopes.len() >= state.order.len();
        Read {
            envelopes,
            done: state.done.is_some() && read_all,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use toolexec::{Executor, SimConfig, SimTool, ToolCall};

    async fn envelopes(n: usize) -> Vec<Envelope> {
        let sim = SimTool::new("t", SimConfig::default());
        let executor = Executor::builder()
            .tool(Arc::new(sim))
            .build()
            .expect("valid executor");
        let calls = (0..n)
            .map(|i| ToolCall::new("t", serde_json::json!({})).with_id(format!("c{i}")))
            .collect();
        executor
            .execute_batch(calls, toolexec::BatchOptions::default())
            .await
    }

    fn ids(read: &Read) -> Vec<(usize, String)> {
        read.envelopes
            .iter()
            .map(|(i, e)| (*i, e.call_id.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn a_late_reader_gets_what_ended_before_it_came_in_the_order_it_ended() {
        let all = envelopes(3).await;
        let feed = Feed::new(3);
        feed.push(2, all[2].clone());
        feed.push(0, all[0].clone());
        let early = feed.read_from(0, 10);
        assert_eq!(ids(&early), [(2, "c2".into()), (0, "c0".into())]);
        assert!(!early.done);
        feed.push(1, all[1].clone());
        feed.finish(Arc::new);
        let late = feed.read_from(1, 10);
        assert_eq!(ids(&late), [(0, "c0".into()), (1, "c1".into())]);
        assert!(late.done, "read to the end of a finished batch");
        assert!(feed.read_from(3, 10).envelopes.is_empty());
        assert!(!feed.read_from(0, 2).done, "one envelope is still unread");
    }

    #[tokio::test]
    async fn readers_wake_at_each_envelope_and_at_the_end() {
        let all = envelopes(1).await;
        let feed = Feed::new(1);
        let mut changes = feed.subscribe();
        changes.mark_unchanged();
        feed.push(0, all[0].clone());
        let woke = tokio::time::timeout(Duration::from_secs(1), changes.changed()).await;
        assert!(woke.is_ok());
        changes.mark_unchanged();
        feed.finish(Arc::new);
        assert!(changes.has_changed().unwrap_or(false));
    }
}
