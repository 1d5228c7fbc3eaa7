//! A call that fails is an `isError` result saying the error kind and message, with
//! the envelope as structured content; an unknown tool is a protocol error.

mod common;

use common::{bounded, call, executor, Harness, BOTH};
use rmcp::model::ErrorCode;
use rmcp::ServiceError;
use serde_json::json;

#[tokio::test]
async fn a_failed_call_is_an_is_error_result_with_kind_and_message() {
    for via in BOTH {
        let harness = Harness::start(via, executor()).await;
        let result = bounded(
            harness
                .client
                .call_tool(call("sim", json!({"fail_with": "tool_error"}))),
        )
        .await
        .expect("a failed call is still a result");

        assert_eq!(result.is_error, Some(true), "{via:?}");
        let text = &result.content[0].as_text().expect("a text block").text;
        assert!(text.starts_with("tool_error: "), "{via:?}: {text}");
        assert!(text.contains("scripted tool_error"), "{via:?}: {text}");
        let envelope = result.structured_content.expect("the envelope");
        assert_eq!(envelope["status"], "failed");
        assert_eq!(envelope["success"], false);
        assert_eq!(envelope["tool_name"], "sim");
        assert_eq!(envelope["error"]["kind"], "tool_error");
        assert_eq!(harness.executor.stats().overall.total, 1);
        harness.finish().await;
    }
}

#[tokio::test]
async fn input_the_tool_rejects_is_an_is_error_result() {
    for via in BOTH {
        let harness = Harness::start(via, executor()).await;
        let result = bounded(
            harness
                .client
                .call_tool(call("sim", json!({"latency_ms": "soon"}))),
        )
        .await
        .expect("rejected input is a result, so the model can correct it");
        assert_eq!(result.is_error, Some(true), "{via:?}");
        let text = &result.content[0].as_text().expect("a text block").text;
        assert!(text.starts_with("invalid_input: "), "{via:?}: {text}");
        harness.finish().await;
    }
}

#[tokio::test]
async fn an_unknown_tool_is_an_invalid_params_protocol_error() {
    for via in BOTH {
        let harness = Harness::start(via, executor()).await;
        let error = bounded(harness.client.call_tool(call("nope", json!({}))))
            .await
            .expect_err("an unknown tool is a JSON-RPC error");
        let ServiceError::McpError(data) = error else {
            panic!("{via:?}: expected a JSON-RPC error, got {error:?}");
        };
        assert_eq!(data.code, ErrorCode::INVALID_PARAMS, "{via:?}");
        assert_eq!(data.message, "unknown tool: nope");
        assert_eq!(
            harness.executor.stats().overall.total,
            0,
            "{via:?}: nothing ran"
        );
        harness.finish().await;
    }
}
