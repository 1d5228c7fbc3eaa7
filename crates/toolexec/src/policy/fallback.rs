//! Fallback answers for calls that cannot succeed.

use std::sync::Arc;

use std::panic::AssertUnwindSafe;

use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::Value;

use crate::Envelope;

type FallbackFn = dyn Fn(&Envelope) -> BoxFuture<'static, Value> + Send + Sync;

/// What a tool answers when a call fails: a fixed value or an async function of the
/// failed envelope. The envelope then has `fallback: true` and `success: true`, and its
/// `status` and `error` still tell what happened to the real call.
#[derive(Clone)]
pub enum Fallback {
    /// Always this value.
    Value(Value),
    /// Computed from the failed envelope.
    Function(Arc<FallbackFn>),
}

impl Fallback {
    /// A fixed fallback value.
    #[must_use]
    pub fn value(value: Value) -> Self {
        Self::Value(value)
    }

    /// A fallback computed from the failed envelope.
    #[must_use]
    pub fn function<F, Fut>(function: F) -> Self
    where
        F: Fn(&Envelope) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Value> + Send + 'static,
    {
        Self::Function(Arc::new(move |envelope| Box::pin(function(envelope))))
    }

    async fn answer(&self, failed: &Envelope) -> Value {
        match self {
            Self::Value(value) => value.clone(),
            Self::Function(function) => function(failed).await,
        }
    }

    /// The answer for a failed call, if the fallback gives one (a panic is no answer).
    pub(crate) async fn answer_caught(&self, failed: &Envelope) -> Option<Value> {
        AssertUnwindSafe(self.answer(failed))
            .catch_unwind()
            .await
            .ok()
    }
}

impl std::fmt::Debug for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(value) => f.debug_tuple("Value").field(value).finish(),
            Self::Function(_) => f.write_str("Function(..)"),
        }
    }
}
