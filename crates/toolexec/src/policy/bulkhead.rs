//! Bulkheads: how many attempts of one tool may run at once, overall and per value of
//! a named input field (at most 2 at a time per `warehouse_code`, say), and how long a
//! call may wait for room before it is turned away.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::failure::AttemptFailure;
use crate::policy::call_policy::check_duration;
use crate::scope::Scope;
use crate::PolicyError;

/// A tool's bulkhead: the most attempts that may run at once, overall and per value of
/// an input field, and the longest a call waits for room.
///
/// Permits are held only while an attempt runs (as for the executor-wide limit), never
/// during a backoff. A call that cannot get room within `max_wait` ends `rejected`
/// with kind `concurrency_limited` (not retried; the caller may try again later); one
/// that reaches its deadline or is cancelled while waiting ends as it would waiting for
/// any other permit. A call whose input lacks the field is not held by the per-key
/// limit. Input field values are compared as JSON (`"WH001"` and `1` are different
/// keys, and `1` and `1.0` are the same only if JSON writes them alike).
///
/// # Default
///
/// No limit at all, `max_wait` 1 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkheadPolicy {
    /// Attempts of the tool running at once, over all its calls.
    pub max_concurrent: Option<usize>,
    /// Attempts running at once per value of an input field.
    pub per_key: Option<KeyLimit>,
    /// The longest a call waits for room before it is turned away.
    pub max_wait: Duration,
}

/// A limit per value of one top-level input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLimit {
    /// The input field whose value is the key, such as `warehouse_code`.
    pub field: String,
    /// Attempts running at once per key.
    pub max_concurrent: usize,
}

impl Default for BulkheadPolicy {
    fn default() -> Self {
        Self {
            max_concurrent: None,
            per_key: None,
            max_wait: Duration::from_secs(1),
        }
    }
}

impl BulkheadPolicy {
    /// Checks that the limits can work, naming the first bad key.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let max = Semaphore::MAX_PERMITS;
        if self.max_concurrent.is_some_and(|n| n == 0 || n > max) {
            return Err(PolicyError::new(
                "max_concurrent",
                format!("must be from 1 to {max}"),
            ));
        }
        if let Some(limit) = &self.per_key {
            if limit.field.is_empty() {
                return Err(PolicyError::new("key", "must name an input field"));
            }
            if limit.max_concurrent == 0 || limit.max_concurrent > max {
                return Err(PolicyError::new(
                    "max_concurrent_per_key",
                    format!("must be from 1 to {max}"),
                ));
            }
        }
        check_duration("max_wait_ms", self.max_wait)
    }
}

/// The semaphores of the keys that have calls running or waiting; a key's entry goes
/// when its last permit does, so the map holds at most one entry per waiting or
/// running call whatever the inputs.
type Keyed = Arc<Mutex<HashMap<String, Arc<Semaphore>>>>;

/// A registered tool's bulkhead: its policy and semaphores.
#[derive(Debug)]
pub(crate) struct Bulkhead {
    policy: BulkheadPolicy,
    tool: Option<Arc<Semaphore>>,
    keyed: Keyed,
}

/// The room an attempt holds in its tool's bulkhead, given back when dropped.
#[derive(Debug)]
pub(crate) struct BulkheadPermits {
    _tool: Option<OwnedSemaphorePermit>,
    _key: Option<KeyPermit>,
}

/// A permit of one key, which removes the key's semaphore once nobody uses it.
#[derive(Debug)]
struct KeyPermit {
    permit: Option<OwnedSemaphorePermit>,
    key: String,
    keyed: Keyed,
}

impl Drop for KeyPermit {
    fn drop(&mut self) {
        let mut keyed = self.keyed.lock();
        drop(self.permit.take());
        // Clones are taken under this lock, so a count of one is the map's own.
        if keyed
            .get(&self.key)
            .is_some_and(|s| Arc::strong_count(s) == 1)
        {
            keyed.remove(&self.key);
        }
    }
}

impl Bulkhead {
    /// The bulkhead of `policy`, or `None` when it limits nothing.
    pub(crate) fn new(policy: BulkheadPolicy) -> Option<Self> {
        if policy.max_concurrent.is_none() && policy.per_key.is_none() {
            return None;
        }
        Some(Self {
            tool: policy.max_concurrent.map(|n| Arc::new(Semaphore::new(n))),
            policy,
            keyed: Arc::default(),
        })
    }

    /// The key of a call with `input`: its field's value as JSON text, if present.
    pub(crate) fn key_of(&self, input: &Value) -> Option<String> {
        let field = &self.policy.per_key.as_ref()?.field;
        match input.get(field)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// Room for one attempt, waiting at most `max_wait`, never past `deadline`, and not
    /// once `scope` is cancelled.
    pub(crate) async fn acquire(
        &self,
        key: Option<&str>,
        scope: &Scope,
        deadline: Option<Instant>,
    ) -> Result<BulkheadPermits, AttemptFailure> {
        let limit = Instant::now() + self.policy.max_wait;
        let until = deadline.map_or(limit, |d| d.min(limit));
        let by_deadline = deadline.is_some_and(|d| d <= limit);
        if !self.has_room(key) {
            // The call will wait holding no permit: its batch may run another call on
            // one more lane meanwhile, as during a backoff.
            scope.lend_lane();
        }
        // The key's room first: a call waiting for it holds up only calls of its key.
        let wait = async {
            let key = match (key, &self.policy.per_key) {
                (Some(key), Some(limit)) => {
                    Some(self.acquire_key(key, limit.max_concurrent).await?)
                }
                _ => None,
            };
            let tool = match &self.tool {
                Some(semaphore) => Some(semaphore.clone().acquire_owned().await.ok()?),
                None => None,
            };
            Some(BulkheadPermits {
                _tool: tool,
                _key: key,
            })
        };
        tokio::select! {
            biased;
            () = scope.cancel.cancelled() => Err(AttemptFailure::cancelled("call cancelled while waiting for room in its tool's bulkhead")),
            permits = wait => permits.ok_or_else(|| AttemptFailure::cancelled("executor closed")),
            () = tokio::time::sleep_until(until) => Err(if by_deadline {
                AttemptFailure::deadline("deadline reached while waiting for room in the tool's bulkhead".into())
            } else {
                AttemptFailure::concurrency_limited(self.policy.max_wait)
            }),
        }
    }

    /// Whether an attempt with `key` would get room at once (a hint: others may take
    /// it first).
    fn has_room(&self, key: Option<&str>) -> bool {
        let tool = self.tool.as_ref().is_none_or(|s| s.available_permits() > 0);
        let key = key.is_none_or(|key| {
            self.keyed
                .lock()
                .get(key)
                .is_none_or(|s| s.available_permits() > 0)
        });
        tool && key
    }

    async fn acquire_key(&self, key: &str, max: usize) -> Option<KeyPermit> {
        let semaphore = {
            let mut keyed = self.keyed.lock();
            keyed
                .entry(key.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(max)))
                .clone()
        };
        let mut permit = KeyPermit {
            permit: None,
            key: key.to_owned(),
            keyed: self.keyed.clone(),
        };
        // Dropped before it has its permit (cancelled, timed out), `permit` still
        // removes the key when nobody else uses it: the semaphore moves into the
        // acquiring future, which is dropped before `permit`.
        let acquired = semaphore.acquire_owned().await.ok()?;
        permit.permit = Some(acquired);
        Some(permit)
    }

    /// Keys with calls running or waiting (for tests of the map's bound).
    #[cfg(test)]
    pub(crate) fn keys(&self) -> usize {
        self.keyed.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(max: usize) -> Bulkhead {
        Bulkhead::new(BulkheadPolicy {
            per_key: Some(KeyLimit {
                field: "warehouse_code".into(),
                max_concurrent: max,
            }),
            max_wait: Duration::from_millis(50),
            ..BulkheadPolicy::default()
        })
        .expect("a bulkhead")
    }

    #[tokio::test(start_paused = true)]
    async fn a_key_is_forgotten_when_its_last_permit_goes_even_after_a_timed_out_wait() {
        let bulkhead = keyed(1);
        let scope = Scope::single(None);
        let held = bulkhead
            .acquire(Some("WH001"), &scope, None)
            .await
            .expect("room");
        assert_eq!(bulkhead.keys(), 1);
        let turned_away = bulkhead.acquire(Some("WH001"), &scope, None).await;
        assert_eq!(
            turned_away.expect_err("no room").kind,
            crate::ErrorKind::ConcurrencyLimited
        );
        assert_eq!(bulkhead.keys(), 1, "the holder still uses the key");
        drop(held);
        assert_eq!(bulkhead.keys(), 0);
    }

    #[test]
    fn key_values_are_json_text_and_a_missing_field_has_no_key() {
        let bulkhead = keyed(1);
        let key = |input: Value| bulkhead.key_of(&input);
        assert_eq!(
            key(serde_json::json!({"warehouse_code": "WH001"})).as_deref(),
            Some("WH001")
        );
        assert_eq!(
            key(serde_json::json!({"warehouse_code": 7})).as_deref(),
            Some("7")
        );
        assert_eq!(key(serde_json::json!({"other": 1})), None);
    }

    #[test]
    fn limits_of_zero_or_an_empty_field_are_refused_naming_the_key() {
        let refused = |policy: BulkheadPolicy| policy.validate().expect_err("refused").key;
        let zero = BulkheadPolicy {
            max_concurrent: Some(0),
            ..BulkheadPolicy::default()
        };
        assert_eq!(refused(zero), "max_concurrent");
        let field = BulkheadPolicy {
            per_key: Some(KeyLimit {
                field: String::new(),
                max_concurrent: 1,
            }),
            ..BulkheadPolicy::default()
        };
        assert_eq!(refused(field), "key");
        let wait = BulkheadPolicy {
            max_wait: Duration::ZERO,
            ..BulkheadPolicy::default()
        };
        assert_eq!(refused(wait), "max_wait_ms");
    }
}
