//! A successful call answers with the result as structured content and JSON text,
//! and is recorded by the executor under the id given in `_meta`.

mod common;

use common::{bounded, call, executor, Harness, BOTH};
use serde_json::{json, Value};
use toolexec::CallStatus;
use toolexec_mcp::CALL_META_KEY;

#[tokio::test]
async fn a_call_returns_the_result_as_structured_content_and_text() {
    for via in BOTH {
        let harness = Harness::start(via, executor()).await;
        let result = bounded(
            harness
                .client
                .call_tool(call("sim", json!({"latency_ms": 5}))),
        )
        .await
        .expect("tools/call succeeds");

        assert_eq!(result.is_error, Some(false), "{via:?}");
        let structured = result
            .structured_content
            .clone()
            .expect("structured content");
        assert_eq!(structured["ok"], true);
        assert_eq!(structured["attempt"], 1);
        let text = &result.content[0].as_text().expect("a text block").text;
        assert_eq!(serde_json::from_str::<Value>(text).ok(), Some(structured));

        let meta = &result.meta.as_ref().expect("_meta").0[CALL_META_KEY];
        assert_eq!(meta["status"], "success");
        assert_eq!(meta["attempts"], 1);
        let call_id = meta["call_id"].as_str().expect("call id");
        assert!(call_id.starts_with("mcp-"), "{via:?}: {call_id}");
        let record = harness.executor.history().find(call_id).expect("recorded");
        assert_eq!(record.status, CallStatus::Success);
        assert_eq!(record.tool_name.as_ref(), "sim");
        harness.finish().await;
    }
}

#[tokio::test]
async fn arguments_reach_the_tool() {
    for via in BOTH {
        let harness = Harness::start(via, executor()).await;
        let result = bounded(
            harness
                .client
                .call_tool(call("lookup", json!({"sku": "A1"}))),
        )
        .await
        .expect("tools/call succeeds");
        assert_eq!(
            result.structured_content,
            Some(json!({"sku": "A1", "on_hand": 12})),
            "{via:?}"
        );
        harness.finish().await;
    }
}
