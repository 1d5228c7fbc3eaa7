//! One end-to-end test over a real socket on 127.0.0.1, and the refusal to listen
//! beyond loopback without a token.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use toolexec_server::{check_bind, serve, ServerError};

/// Sends one HTTP/1.1 request and returns the status code and the JSON body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8(raw).expect("UTF-8 response");
    let status = text[9..12].parse().expect("status code");
    let (headers, payload) = text.split_once("\r\n\r\n").expect("head and body");
    let payload = if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(payload)
    } else {
        payload.to_owned()
    };
    (
        status,
        serde_json::from_str(&payload).unwrap_or(Value::Null),
    )
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_over_a_real_socket_with_a_token() {
    let test = async {
        let state = common::state_with(|b| b.api_token(Some("tok".into())));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(toolexec_server::serve_listener(
            listener,
            state,
            std::future::pending(),
        ));

        let (status, health) = request(addr, "GET", "/healthz", None, "").await;
        assert_eq!((status, health["auth"].clone()), (200, json!(true)));

        let batch =
            json!({"calls": [{"tool": "slow", "call_id": "s"}, {"tool": "flaky", "call_id": "f"}]})
                .to_string();
        let (status, error) = request(addr, "POST", "/v1/batches", None, &batch).await;
        assert_eq!(
            (status, error["error"]["code"].clone()),
            (401, json!("unauthorized"))
        );

        let (status, view) = request(addr, "POST", "/v1/batches", Some("tok"), &batch).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["envelopes"][0]["status"], "success");
        assert_eq!(view["envelopes"][1]["attempts"], 2);

        let id = view["batch_id"].as_str().unwrap();
        let (status, again) =
            request(addr, "GET", &format!("/v1/batches/{id}"), Some("tok"), "").await;
        assert_eq!((status, again["status"].clone()), (200, json!("done")));
        server.abort();
    };
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("within 30 s");
}

#[tokio::test]
async fn serve_refuses_a_public_address_without_a_token() {
    let state = common::state();
    let public: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let err = tokio::time::timeout(Duration::from_secs(5), serve(public, state.clone()))
        .await
        .expect("refuses at once")
        .unwrap_err();
    assert!(matches!(err, ServerError::TokenRequired { .. }), "{err}");
    assert!(err.to_string().contains("TOOLEXEC_API_TOKEN"));
    assert!(check_bind("127.0.0.1:8080".parse().unwrap(), &state).is_ok());
    assert!(check_bind("[::1]:8080".parse().unwrap(), &state).is_ok());
    let with_token = common::state_with(|b| b.api_token(Some("t".into())));
    assert!(check_bind(public, &with_token).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_ends_open_event_streams() {
    let state = common::state();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(toolexec_server::serve_listener(listener, state, async {
        let _ = stopped.await;
    }));

    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!("GET /v1/events HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    stop.send(()).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops within 10 s despite the open stream");
    assert!(ended.unwrap().is_ok());
}

#[tokio::test]
async fn a_whitespace_token_is_refused_at_startup() {
    for token in ["   ", " tok", "tok\t"] {
        let err = toolexec_server::AppState::builder(common::executor())
            .api_token(Some(token.into()))
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                ServerError::InvalidConfig {
                    key: "TOOLEXEC_API_TOKEN",
                    ..
                }
            ),
            "{token:?}: {err}"
        );
        assert!(err.to_string().contains("whitespace"), "{err}");
    }
}
