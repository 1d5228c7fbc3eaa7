//! A request with a progress token hears about every attempt and retry of its call.

mod common;

use common::{bounded, call, executor, Harness, BOTH};
use rmcp::model::ProgressNotificationParam;
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use tokio::sync::mpsc;

/// A client that passes on every progress notification it gets.
struct Recorder(mpsc::UnboundedSender<ProgressNotificationParam>);

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params);
    }
}

#[tokio::test]
async fn attempts_and_retries_are_reported_as_progress() {
    for via in BOTH {
        let (sender, mut received) = mpsc::unbounded_channel();
        let harness = Harness::start_with(via, executor(), Recorder(sender)).await;
        let result = bounded(harness.client.call_tool(call("flaky", json!({}))))
            .await
            .expect("tools/call succeeds");
        assert_eq!(result.is_error, Some(false), "{via:?}");

        let mut messages = Vec::new();
        for expected in 1..=7 {
            let progress = bounded(received.recv()).await.expect("a notification");
            assert_eq!(progress.progress, f64::from(expected), "{via:?}");
            messages.push(progress.message.unwrap_or_default());
        }
        let failure =
            "failed: backend: transient failure: sim: scripted transient failure on attempt";
        assert_eq!(
            messages,
            [
                "attempt 1".to_owned(),
                format!("attempt 1 {failure} 1"),
                "retrying in 10 ms (attempt 2)".to_owned(),
                "attempt 2".to_owned(),
                format!("attempt 2 {failure} 2"),
                "retrying in 20 ms (attempt 3)".to_owned(),
                "attempt 3".to_owned(),
            ],
            "{via:?}"
        );
        harness.finish().await;
    }
}
