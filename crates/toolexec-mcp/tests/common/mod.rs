//! A real rmcp client against the server, over an in-memory pipe (what `serve_stdio`
//! runs on stdin/stdout) or streamable HTTP on 127.0.0.1, and an executor of sim tools.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::Value;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;
use toolexec::{
    tool_fn, BackoffPolicy, CallPolicy, CallStatus, ExecutionEvent, Executor, Jitter, SimConfig,
    SimTool, ToolAnnotations, ToolSpec,
};
use toolexec_mcp::McpServeError;

/// How long any one wait in these tests may take before the test fails.
pub const BOUND: Duration = Duration::from_secs(10);

/// The two ways a client reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `serve_io` on one end of a `tokio::io::duplex` pipe.
    Pipe,
    /// `serve_http` on 127.0.0.1:0, at `/mcp`.
    Http,
}

/// Both transports, for tests that check a behaviour over each.
pub const BOTH: [Via; 2] = [Via::Pipe, Via::Http];

/// The tools: `sim` (answers at once), `flaky` (its first two attempts of every call
/// fail with a transient error), `lookup` (read-only) and `delete` (destructive, not
/// idempotent), with retries after 10 ms, 20 ms, ... and no jitter.
pub fn executor() -> Executor {
    let lookup = ToolSpec::new("lookup", "Looks a SKU up.")
        .with_input_schema(serde_json::json!({
            "type": "object",
            "properties": {"sku": {"type": "string"}},
            "required": ["sku"]
        }))
        .with_annotations(ToolAnnotations::read_only());
    let delete = ToolSpec::new("delete", "Deletes a SKU.").with_annotations(ToolAnnotations {
        read_only: false,
        idempotent: false,
        destructive: true,
    });
    Executor::builder()
        .defaults(CallPolicy {
            max_retries: 3,
            backoff: BackoffPolicy {
                initial: Duration::from_millis(10),
                jitter: Jitter::None,
                ..BackoffPolicy::default()
            },
            ..CallPolicy::default()
        })
        .tool(Arc::new(SimTool::new("sim", SimConfig::default())))
        .tool(Arc::new(SimTool::new(
            "flaky",
            SimConfig {
                fail_first: 2,
                ..SimConfig::default()
            },
        )))
        .tool(Arc::new(tool_fn(lookup, |input, _ctx| async move {
            Ok(serde_json::json!({"sku": input["sku"], "on_hand": 12}))
        })))
        .tool(Arc::new(tool_fn(delete, |_input, _ctx| async move {
            Ok(Value::Null)
        })))
        .build()
        .expect("the test executor is valid")
}

/// A connected client (with handler `C`) and the server it talks to.
pub struct Harness<C: ClientHandler = ()> {
    /// The client.
    pub client: RunningService<RoleClient, C>,
    /// The executor behind the server.
    pub executor: Executor,
    /// Which transport.
    pub via: Via,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<Result<(), McpServeError>>,
}

impl Harness {
    /// Starts a server for `executor` and connects a plain client to it.
    pub async fn start(via: Via, executor: Executor) -> Self {
        Self::start_with(via, executor, ()).await
    }
}

impl<C: ClientHandler> Harness<C> {
    /// Starts a server for `executor` and connects a client with `handler` to it.
    pub async fn start_with(via: Via, executor: Executor, handler: C) -> Self {
        match via {
            Via::Pipe => {
                let (server_end, client_end) = tokio::io::duplex(64 * 1024);
                let (reader, writer) = tokio::io::split(server_end);
                let server = tokio::spawn(toolexec_mcp::serve_io(executor.clone(), reader, writer));
                let client = bounded(handler.serve(client_end))
                    .await
                    .expect("the client initializes over the pipe");
                Self {
                    client,
                    executor,
                    via,
                    stop: None,
                    server,
                }
            }
            Via::Http => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1:0");
                let url = format!("http://{}/mcp", listener.local_addr().expect("local addr"));
                let (stop, stopped) = oneshot::channel::<()>();
                let server = tokio::spawn(toolexec_mcp::serve_http(
                    listener,
                    executor.clone(),
                    async move {
                        let _ = stopped.await;
                    },
                ));
                let transport = StreamableHttpClientTransport::from_uri(url);
                let client = bounded(handler.serve(transport))
                    .await
                    .expect("the client initializes over HTTP");
                Self {
                    client,
                    executor,
                    via,
                    stop: Some(stop),
                    server,
                }
            }
        }
    }

    /// Closes the client, stops the server, and checks that it returns `Ok`.
    pub async fn finish(self) {
        let via = self.via;
        bounded(self.client.cancel())
            .await
            .expect("the client closes");
        if let Some(stop) = self.stop {
            let _ = stop.send(());
        }
        let served = bounded(self.server)
            .await
            .expect("the server task does not panic");
        assert!(
            served.is_ok(),
            "{via:?}: the server stopped with {served:?}"
        );
    }
}

/// `future`, failing the test if it takes longer than [`BOUND`].
pub async fn bounded<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(BOUND, future)
        .await
        .expect("finished within the test bound")
}

/// A `tools/call` of `name` with `arguments` (a JSON object).
pub fn call(name: &'static str, arguments: Value) -> CallToolRequestParams {
    let mut params = CallToolRequestParams::new(name);
    params.arguments = arguments.as_object().cloned();
    params
}

/// Waits for the `Finished` event of the call whose id ends with `-{request_id}`.
pub async fn finished(
    events: &mut broadcast::Receiver<ExecutionEvent>,
    request_id: &str,
) -> (String, CallStatus) {
    let suffix = format!("-{request_id}");
    bounded(async {
        loop {
            match events.recv().await.expect("the event stream is open") {
                ExecutionEvent::Finished {
                    call_id, status, ..
                } if call_id.ends_with(&suffix) => return (call_id.to_string(), status),
                _ => {}
            }
        }
    })
    .await
}

/// Waits for the first attempt of any call to start.
pub async fn attempt_started(events: &mut broadcast::Receiver<ExecutionEvent>) -> String {
    bounded(async {
        loop {
            if let ExecutionEvent::AttemptStarted { call_id, .. } =
                events.recv().await.expect("the event stream is open")
            {
                return call_id.to_string();
            }
        }
    })
    .await
}
