//! `notifications/cancelled` from the client cancels the executor's call, which ends
//! `cancelled` long before the tool would have answered.

mod common;

use std::time::Duration;

use common::{attempt_started, bounded, call, executor, finished, BOTH};
use rmcp::model::{ClientRequest, Request};
use rmcp::service::PeerRequestOptions;
use serde_json::json;
use toolexec::CallStatus;

#[tokio::test]
async fn cancelling_a_request_cancels_the_executor_call() {
    for via in BOTH {
        let harness = common::Harness::start(via, executor()).await;
        let mut events = harness.executor.subscribe();
        let started = tokio::time::Instant::now();

        let request = ClientRequest::CallToolRequest(Request::new(call(
            "sim",
            json!({"latency_ms": 60_000}),
        )));
        let handle = bounded(
            harness
                .client
                .peer()
                .send_request_with_option(request, PeerRequestOptions::no_options()),
        )
        .await
        .expect("the request is sent");
        let request_id = handle.id.to_string();
        let running = attempt_started(&mut events).await;
        assert!(
            running.ends_with(&format!("-{request_id}")),
            "{via:?}: {running}"
        );

        bounded(handle.cancel(Some("the user gave up".to_owned())))
            .await
            .expect("notifications/cancelled is sent");
        let (call_id, status) = finished(&mut events, &request_id).await;

        assert_eq!(status, CallStatus::Cancelled, "{via:?}");
        assert!(started.elapsed() < Duration::from_secs(30), "{via:?}");
        let record = harness.executor.history().recent(1).remove(0);
        assert_eq!(record.call_id.as_ref(), call_id);
        assert_eq!(record.status, CallStatus::Cancelled);
        let stats = harness.executor.stats();
        assert_eq!(
            stats.overall.by_status.get(&CallStatus::Cancelled),
            Some(&1)
        );
        harness.finish().await;
    }
}
