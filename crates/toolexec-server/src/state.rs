//! [`AppState`]: what every route shares, and its builder.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use toolexec::Executor;
use toolexec_journal::EngineJournal;

use crate::batch_store::BatchStore;
use crate::limits::Limits;
use crate::monitor::Monitor;
use crate::server_error::ServerError;
use crate::token::{self, TOKEN_ENV};
use crate::watchlist::Watchlist;

/// Answers a question for `POST /v1/ask`: the supply-chain assistant, plugged in by
/// the binary. An `Err` is a message written for users; it is sent as it is.
pub type Asker = Arc<dyn Fn(String) -> BoxFuture<'static, Result<Value, String>> + Send + Sync>;

/// Everything the routes share: the executor, the batches, the assistant, the token
/// and the metrics. Cloning is cheap and shares everything.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    executor: Executor,
    batches: BatchStore,
    asker: Option<Asker>,
    token: Option<String>,
    limits: Limits,
    monitor: Monitor,
    watchlist: Arc<Watchlist>,
    event_streams: Arc<AtomicUsize>,
    closing: CancellationToken,
    journal: Option<Arc<EngineJournal>>,
    grace_ended: CancellationToken,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("executor", &self.inner.executor)
            .field("asker", &self.inner.asker.is_some())
            .field("token", &self.inner.token.as_ref().map(|_| "<set>"))
            .field("limits", &self.inner.limits)
            .field("journal", &self.inner.journal.is_some())
            .finish()
    }
}

impl AppState {
    /// A builder with no token, no assistant and the default [`Limits`].
    pub fn builder(executor: Executor) -> AppStateBuilder {
        AppStateBuilder {
            executor,
            asker: None,
            token: None,
            limits: Limits::default(),
            journal: None,
        }
    }

    /// The durable journal, when the server keeps one.
    pub fn journal(&self) -> Option<&Arc<EngineJournal>> {
        self.inner.journal.as_ref()
    }

    /// A new batch id: the journal's (unique across restarts) when there is one.
    pub(crate) fn new_batch_id(&self) -> String {
        match self.inner.executor.journal() {
            Some(journal) => journal.new_batch_id().to_string(),
            None => self.inner.batches.next_id(),
        }
    }

    /// The executor behind the API.
    pub fn executor(&self) -> &Executor {
        &self.inner.executor
    }

    /// The bearer token every `/v1` route and `/metrics` require, if any.
    pub fn api_token(&self) -> Option<&str> {
        self.inner.token.as_deref()
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    pub(crate) fn batches(&self) -> &BatchStore {
        &self.inner.batches
    }

    pub(crate) fn asker(&self) -> Option<&Asker> {
        self.inner.asker.as_ref()
    }

    pub(crate) fn monitor(&self) -> &Monitor {
        &self.inner.monitor
    }

    pub(crate) fn watchlist(&self) -> &Watchlist {
        &self.inner.watchlist
    }

    /// Event streams open now.
    pub(crate) fn event_streams(&self) -> &Arc<AtomicUsize> {
        &self.inner.event_streams
    }

    /// Ends every open event stream, so that a graceful shutdown does not wait for
    /// clients that never hang up. [`crate::serve_with_shutdown`] calls it when its
    /// signal fires; call it yourself when serving [`crate::app`] another way.
    pub fn close_streams(&self) {
        self.inner.closing.cancel();
    }

    pub(crate) fn closing(&self) -> &CancellationToken {
        &self.inner.closing
    }

    /// Whether the server is stopping (see [`crate::drain`]): it takes no new work, and
    /// `/healthz` answers 503 `stopping`.
    pub fn is_stopping(&self) -> bool {
        self.inner.batches.is_closed()
    }

    /// Ends the grace period of a stop now: the batches still running are cancelled at
    /// once rather than when [`crate::Limits::shutdown_grace`] has passed (a second
    /// Ctrl-C, say). Before a stop has begun, it makes a later stop cancel at once.
    pub fn end_grace(&self) {
        self.inner.grace_ended.cancel();
    }

    pub(crate) fn grace_ended(&self) -> &CancellationToken {
        &self.inner.grace_ended
    }
}

/// Builds an [`AppState`]; see [`AppState::builder`].
pub struct AppStateBuilder {
    executor: Executor,
    asker: Option<Asker>,
    token: Option<String>,
    limits: Limits,
    journal: Option<Arc<EngineJournal>>,
}

impl std::fmt::Debug for AppStateBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppStateBuilder")
            .field("asker", &self.asker.is_some())
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("limits", &self.limits)
            .finish()
    }
}

impl AppStateBuilder {
    /// Requires `Authorization: Bearer <token>` on every `/v1` route and `/metrics`.
    /// `None` or an empty token means no authentication; a token of only whitespace
    /// (or with whitespace around it) is refused by [`AppStateBuilder::build`].
    pub fn api_token(mut self, token: Option<String>) -> Self {
        self.token = token.filter(|t| !t.is_empty());
        self
    }

    /// Takes the token from the [`TOKEN_ENV`] environment variable, if it is set and
    /// not empty.
    pub fn api_token_from_env(self) -> Self {
        self.api_token(std::env::var(TOKEN_ENV).ok())
    }

    /// Plugs in the assistant behind `POST /v1/ask`.
    pub fn asker(mut self, asker: Asker) -> Self {
        self.asker = Some(asker);
        self
    }

    /// Replaces the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets [`Limits::max_batches`].
    pub fn max_batches(mut self, max: usize) -> Self {
        self.limits.max_batches = max;
        self
    }

    /// Sets [`Limits::max_body_bytes`].
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.limits.max_body_bytes = max;
        self
    }

    /// Serves batch listings, history and batches of earlier processes from `journal`
    /// (the same journal the executor writes into: see
    /// [`toolexec::ExecutorBuilder::journal`]).
    pub fn journal(mut self, journal: Arc<EngineJournal>) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Validates the limits and starts the task that turns the executor's events into
    /// metrics and the recent-failures list. Must run inside a Tokio runtime.
    pub fn build(self) -> Result<AppState, ServerError> {
        self.limits.validate()?;
        if let Some(reason) = self.token.as_deref().and_then(token::unusable) {
            return Err(ServerError::InvalidConfig {
                key: TOKEN_ENV,
                reason: reason.into(),
            });
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| ServerError::NoRuntime)?;
        let watchlist = Arc::new(Watchlist::default());
        let monitor = Monitor::start(&self.executor, watchlist.clone(), &runtime);
        Ok(AppState {
            inner: Arc::new(Shared {
                batches: BatchStore::new(&self.limits),
                executor: self.executor,
                asker: self.asker,
                token: self.token,
                limits: self.limits,
                monitor,
                watchlist,
                event_streams: Arc::new(AtomicUsize::new(0)),
                closing: CancellationToken::new(),
                journal: self.journal,
                grace_ended: CancellationToken::new(),
            }),
        })
    }
}
