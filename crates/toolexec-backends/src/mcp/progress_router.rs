//! [`ProgressRouter`]: the client side of a session, which hands each
//! `notifications/progress` to the attempt whose `tools/call` carries its token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::handler::client::ClientHandler;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::NotificationContext;
use rmcp::RoleClient;
use toolexec::{CallContext, Progress};

/// The attempts waiting for their `tools/call`, by the request's progress token (rmcp
/// puts a fresh token in every request's `_meta`). Shared by the sessions of one
/// server, so a reopened session routes the same way.
#[derive(Clone, Default)]
pub(super) struct ProgressRouter {
    calls: Arc<Mutex<HashMap<ProgressToken, CallContext>>>,
}

impl ProgressRouter {
    /// Routes the progress of `token` to `ctx` until the registration is dropped.
    pub(super) fn register(&self, token: ProgressToken, ctx: &CallContext) -> Registration {
        self.lock().insert(token.clone(), ctx.clone());
        Registration {
            router: self.clone(),
            token,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ProgressToken, CallContext>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One attempt's place in the router, given up when dropped.
pub(super) struct Registration {
    router: ProgressRouter,
    token: ProgressToken,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let removed = self.router.lock().remove(&self.token);
        drop(removed);
    }
}

impl ClientHandler for ProgressRouter {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let ctx = self.lock().get(&params.progress_token).cloned();
        if let Some(ctx) = ctx {
            ctx.report_progress(Progress {
                progress: params.progress,
                total: params.total,
                message: params.message,
            });
        }
    }
}

impl std::fmt::Debug for ProgressRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressRouter")
            .field("calls", &self.lock().len())
            .finish()
    }
}
