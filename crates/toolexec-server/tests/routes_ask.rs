//! `POST /v1/ask`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::{error_of, post_json, router, send, state_with};
use futures::FutureExt;
use serde_json::json;
use toolexec_server::{app, Asker, Limits};

fn asker() -> Asker {
    Arc::new(|question: String| {
        async move {
            match question.as_str() {
                "fail" => Err("unknown warehouse WH999".to_owned()),
                "hang" => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(json!(null))
                }
                _ => Ok(json!({"answer": format!("you asked: {question}")})),
            }
        }
        .boxed()
    })
}

#[tokio::test(start_paused = true)]
async fn ask_without_an_assistant_is_501() {
    let (status, _, error) =
        send(&router(), post_json("/v1/ask", &json!({"question": "hi"}))).await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(error_of(&error).0, "not_implemented");
}

#[tokio::test(start_paused = true)]
async fn ask_answers_with_the_assistants_value() {
    let app = app(state_with(|b| b.asker(asker())));
    let (status, _, body) =
        send(&app, post_json("/v1/ask", &json!({"question": " stock? "}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"question": "stock?", "answer": {"answer": "you asked: stock?"}})
    );
}

#[tokio::test(start_paused = true)]
async fn ask_maps_assistant_errors_timeouts_and_bad_input() {
    let app = app(state_with(|b| {
        b.asker(asker()).limits(Limits {
            ask_timeout: Duration::from_secs(5),
            ..Limits::default()
        })
    }));
    let (status, _, error) = send(&app, post_json("/v1/ask", &json!({"question": "fail"}))).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(error["error"]["message"], "unknown warehouse WH999");

    let (status, _, error) = send(&app, post_json("/v1/ask", &json!({"question": "hang"}))).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(error_of(&error).0, "timeout");

    let (status, _, error) = send(&app, post_json("/v1/ask", &json!({"question": "  "}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&error).1.as_deref(), Some("question"));

    let (status, _, error) = send(&app, post_json("/v1/ask", &json!({"q": "x"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&error).0, "invalid_input");
}
