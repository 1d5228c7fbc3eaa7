//! Calls run with the executor's policies: a flaky tool is retried and succeeds.

mod common;

use common::{bounded, call, executor, Harness, BOTH};
use serde_json::json;
use toolexec::CallStatus;
use toolexec_mcp::CALL_META_KEY;

#[tokio::test]
async fn a_flaky_call_is_retried_by_the_executor_and_succeeds() {
    for via in BOTH {
        let harness = Harness::start(via, executor()).await;
        let result = bounded(harness.client.call_tool(call("flaky", json!({}))))
            .await
            .expect("tools/call succeeds");

        assert_eq!(result.is_error, Some(false), "{via:?}");
        assert_eq!(result.structured_content.expect("result")["attempt"], 3);
        let meta = &result.meta.expect("_meta").0[CALL_META_KEY];
        assert_eq!(meta["attempts"], 3);

        let stats = harness.executor.tool_stats("flaky").expect("flaky stats");
        assert_eq!(stats.total, 1, "{via:?}");
        assert_eq!(
            stats.retries, 2,
            "{via:?}: two retries after 10 ms and 20 ms"
        );
        assert_eq!(stats.by_status.get(&CallStatus::Success), Some(&1));
        harness.finish().await;
    }
}
