//! One call's attempts never overlap: a retry starts only once the call's earlier
//! attempt has returned its thread.
//!
//! The engine ends an attempt that times out by dropping its future and cancelling its
//! token, while the blocking work behind it runs on until it next looks at the token.
//! The route search looks at every step, but vrp-core's problem build (up to about a
//! third of a second at the largest accepted problem) does not; a retry scheduled with
//! a short (jittered) backoff could otherwise start its own search beside the old one.
//!
//! Written by hand because it is this crate's own rule, not a general primitive: first
//! attempts share the gate of their call id (so unrelated calls that reuse an id still
//! run side by side), and a retry takes it alone, waiting for every attempt running
//! under that id. The pass travels with the blocking work and is released when that
//! work ends, whether or not anyone still waits for its answer.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// The gates of the calls with attempts running or waiting, by call id.
#[derive(Debug, Default)]
pub(crate) struct AttemptGate {
    running: Mutex<HashMap<Arc<str>, Arc<RwLock<()>>>>,
}

/// Leave to run one attempt; dropping it lets the call's next attempt in.
#[derive(Debug)]
pub(crate) struct GatePass {
    gate: Arc<AttemptGate>,
    held: Option<Held>,
}

#[derive(Debug)]
enum Held {
    Shared(#[allow(dead_code)] OwnedRwLockReadGuard<()>),
    Alone(#[allow(dead_code)] OwnedRwLockWriteGuard<()>),
}

impl AttemptGate {
    /// Waits until attempt `attempt` of `call_id` may run: at once for a first attempt
    /// (unless a retry under the same id runs), after every running attempt under the
    /// id for a retry.
    pub(crate) async fn enter(self: &Arc<Self>, call_id: &Arc<str>, attempt: u32) -> GatePass {
        let lock = self
            .running
            .lock()
            .entry(call_id.clone())
            .or_default()
            .clone();
        let mut pass = GatePass {
            gate: self.clone(),
            held: None,
        };
        pass.held = Some(if attempt <= 1 {
            Held::Shared(lock.read_owned().await)
        } else {
            Held::Alone(lock.write_owned().await)
        });
        pass
    }

    /// How many call ids have attempts running or waiting.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.running.lock().len()
    }
}

impl Drop for GatePass {
    fn drop(&mut self) {
        self.held = None;
        // Gates that nobody holds or waits for (only the map refers to them) go; the
        // map holds only calls in flight, so the sweep is short.
        self.gate
            .running
            .lock()
            .retain(|_, lock| Arc::strong_count(lock) > 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[tokio::test]
    async fn a_retry_waits_for_the_running_attempt_of_its_call() {
        let gate = Arc::new(AttemptGate::default());
        let id: Arc<str> = "c-1".into();
        let first = gate.enter(&id, 1).await;
        let mut retry = Box::pin(gate.enter(&id, 2));
        assert!(
            (&mut retry).now_or_never().is_none(),
            "runs beside attempt 1"
        );
        drop(first);
        let second = retry.await;
        drop(second);
        assert_eq!(gate.len(), 0, "nothing is kept once the call ends");
    }

    #[tokio::test]
    async fn first_attempts_under_one_id_run_side_by_side() {
        let gate = Arc::new(AttemptGate::default());
        let id: Arc<str> = "reused".into();
        let a = gate.enter(&id, 1).await;
        let b = gate.enter(&id, 1).now_or_never();
        assert!(b.is_some(), "a first attempt never waits for another");
        drop((a, b));
        assert_eq!(gate.len(), 0);
    }

    #[tokio::test]
    async fn a_retry_given_up_while_waiting_leaves_nothing_behind() {
        let gate = Arc::new(AttemptGate::default());
        let id: Arc<str> = "c-2".into();
        let first = gate.enter(&id, 1).await;
        let mut retry = Box::pin(gate.enter(&id, 2));
        assert!((&mut retry).now_or_never().is_none());
        drop(retry);
        drop(first);
        assert_eq!(gate.len(), 0);
    }
}
