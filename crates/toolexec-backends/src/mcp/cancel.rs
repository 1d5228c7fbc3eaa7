//! [`CancelOnDrop`]: tells the server about a request nobody waits for any more.

use rmcp::model::{
    CancelledNotification, CancelledNotificationParam, ClientNotification, RequestId,
};
use rmcp::service::Peer;
use rmcp::RoleClient;

/// Armed while a `tools/call` is awaited. Dropped armed (the engine dropped the attempt
/// on its timeout, or the call was cancelled), it sends `notifications/cancelled` for
/// the request from a spawned task, since `Drop` cannot wait.
pub(super) struct CancelOnDrop {
    armed: Option<(Peer<RoleClient>, RequestId)>,
    reason: &'static str,
}

impl CancelOnDrop {
    pub(super) fn new(peer: Peer<RoleClient>, id: RequestId) -> Self {
        Self {
            armed: Some((peer, id)),
            reason: "the caller stopped waiting (attempt timeout or cancellation)",
        }
    }

    /// The request is settled: nothing to send.
    pub(super) fn disarm(&mut self) {
        self.armed = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some((peer, id)) = self.armed.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let notification = CancelledNotification::new(CancelledNotificationParam::new(
            Some(id),
            Some(self.reason.to_owned()),
        ));
        runtime.spawn(async move {
            let _ = peer
                .send_notification(ClientNotification::CancelledNotification(notification))
                .await;
        });
    }
}
