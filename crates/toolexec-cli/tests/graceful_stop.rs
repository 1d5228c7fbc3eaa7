//! `toolexec serve` stopped by real signals: SIGTERM or SIGINT lets running batches
//! finish within `--grace-ms`, cancels the rest, answers the open requests, refuses
//! new work with 503 `shutting_down`, and exits 0.

#![cfg(unix)]
#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

mod common;

use std::net::SocketAddr;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use common::{request, Server};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The longest any test here may take.
const TEST_LIMIT: Duration = Duration::from_secs(60);

fn send_signal(server: &Server, signal: Signal) {
    let pid = Pid::from_raw(i32::try_from(server.pid()).unwrap());
    kill(pid, signal).unwrap();
}

/// A batch of `calls` echo calls that each take `latency_ms`.
fn batch(calls: usize, latency_ms: u64) -> String {
    let call = json!({"tool": "echo", "input": {"latency_ms": latency_ms}});
    json!({ "calls": vec![call; calls] }).to_string()
}

/// A kept-alive HTTP/1.1 connection.
struct Connection {
    stream: BufReader<TcpStream>,
    addr: SocketAddr,
}

/// A response: its status and its body as JSON.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
}

impl Connection {
    /// Opens a connection and makes sure the server has accepted it (a request on it
    /// is answered).
    async fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut connection = Self {
            stream: BufReader::new(stream),
            addr,
        };
        let answer = connection.call("GET /healthz", "").await.unwrap();
        assert_eq!(answer.status, 200, "{answer:?}");
        connection
    }

    /// Sends a request without waiting for its answer.
    async fn send(&mut self, request_line: &str, body: &str) {
        let head = format!(
            "{request_line} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.stream
            .get_mut()
            .write_all(head.as_bytes())
            .await
            .unwrap();
    }

    /// Reads one response; `None` when the server closed the connection first.
    async fn answer(&mut self) -> Option<Answer> {
        let mut line = String::new();
        self.stream.read_line(&mut line).await.ok()?;
        let status = line.split_whitespace().nth(1)?.parse().ok()?;
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.ok()?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok()?;
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.ok()?;
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Some(Answer { status, body })
    }

    async fn call(&mut self, request_line: &str, body: &str) -> Option<Answer> {
        self.send(request_line, body).await;
        self.answer().await
    }
}

/// The statuses of a batch view's envelopes.
fn statuses(view: &Value) -> Vec<String> {
    view["envelopes"]
        .as_array()
        .unwrap_or_else(|| panic!("no envelopes in {view}"))
        .iter()
        .map(|e| e["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Waits until the server holds `batches` batches, so that a signal sent next finds
/// them running.
async fn until_batches(addr: SocketAddr, batches: u64) {
    let started = Instant::now();
    loop {
        let health = request(addr, "GET /healthz HTTP/1.1", "").await.unwrap();
        let (_, body) = health.split_once("\r\n\r\n").unwrap();
        let body: Value = serde_json::from_str(body).unwrap();
        if body["batches"].as_u64() >= Some(batches) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn exit_status(server: &mut Server, limit: Duration) -> ExitStatus {
    server
        .exited_within(limit)
        .await
        .unwrap_or_else(|| panic!("the server did not exit within {limit:?}"))
}

async fn bounded(test: impl std::future::Future<Output = ()>) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("the test ends within its limit");
}

/// SIGTERM or SIGINT while a `wait=true` batch of 1.5 s calls runs: the request is
/// answered with every call a success, and the server exits 0 after it.
async fn waiting_batch_finishes_within_the_grace(signal: Signal) {
    let mut server = Server::start(&["--grace-ms", "10000"]).await;
    let mut client = Connection::open(server.addr).await;
    client.send("POST /v1/batches", &batch(3, 1500)).await;
    let submitted = Instant::now();
    until_batches(server.addr, 1).await;
    send_signal(&server, signal);

    let answer = client.answer().await.expect("the open request is answered");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(statuses(&answer.body), ["success"; 3]);
    let status = exit_status(&mut server, Duration::from_secs(10)).await;
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(
        submitted.elapsed() >= Duration::from_millis(1500),
        "the calls were not cut short: {:?}",
        submitted.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_answers_a_waiting_batch_that_ends_within_the_grace_and_exits_0() {
    bounded(waiting_batch_finishes_within_the_grace(Signal::SIGTERM)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_stops_the_server_as_sigterm_does() {
    bounded(waiting_batch_finishes_within_the_grace(Signal::SIGINT)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_cancels_waiting_calls_longer_than_the_grace_and_exits_0_promptly() {
    bounded(async {
        let mut server = Server::start(&["--grace-ms", "300"]).await;
        let mut client = Connection::open(server.addr).await;
        client.send("POST /v1/batches", &batch(2, 30_000)).await;
        until_batches(server.addr, 1).await;
        let signalled = Instant::now();
        send_signal(&server, Signal::SIGTERM);

        let answer = client.answer().await.expect("the open request is answered");
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(statuses(&answer.body), ["cancelled"; 2]);
        assert_eq!(answer.body["cancelled"], true);
        let answered = signalled.elapsed();
        assert!(
            answered >= Duration::from_millis(300),
            "the calls had their grace: {answered:?}"
        );
        let status = exit_status(&mut server, Duration::from_secs(10)).await;
        assert_eq!(status.code(), Some(0), "{status:?}");
        let stopped = signalled.elapsed();
        eprintln!("answered {answered:?}, exited {stopped:?} after SIGTERM");
        assert!(stopped < Duration::from_secs(10), "{stopped:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_waits_for_an_accepted_batch_up_to_the_end_of_its_calls() {
    bounded(async {
        let mut server = Server::start(&["--grace-ms", "10000"]).await;
        let mut poller = Connection::open(server.addr).await;
        let accepted = request(
            server.addr,
            "POST /v1/batches?wait=false HTTP/1.1",
            &batch(2, 2000),
        )
        .await
        .unwrap();
        let submitted = Instant::now();
        assert!(accepted.starts_with("HTTP/1.1 202"), "{accepted}");
        send_signal(&server, Signal::SIGTERM);

        tokio::time::sleep(Duration::from_millis(300)).await;
        let polled = poller.call("GET /v1/batches/b-1", "").await.unwrap();
        assert_eq!(polled.status, 200, "polling goes on while stopping");
        assert_eq!(polled.body["status"], "running", "{polled:?}");
        let status = exit_status(&mut server, Duration::from_secs(15)).await;
        let stopped = submitted.elapsed();
        eprintln!("exited {stopped:?} after the batch of 2 s calls was accepted");
        assert_eq!(status.code(), Some(0), "{status:?}");
        assert!(
            stopped >= Duration::from_millis(2000),
            "the server waited for the calls: {stopped:?}"
        );
        assert!(
            stopped < Duration::from_millis(2000 + 5000),
            "and not for the whole grace: {stopped:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_work_during_the_stop_gets_503_shutting_down_and_no_connection_is_accepted() {
    bounded(async {
        let mut server = Server::start(&["--grace-ms", "3000"]).await;
        let mut submitter = Connection::open(server.addr).await;
        let mut prober = Connection::open(server.addr).await;
        let accepted = request(
            server.addr,
            "POST /v1/batches?wait=false HTTP/1.1",
            &batch(1, 30_000),
        )
        .await
        .unwrap();
        assert!(accepted.starts_with("HTTP/1.1 202"), "{accepted}");
        let signalled = Instant::now();
        send_signal(&server, Signal::SIGTERM);
        tokio::time::sleep(Duration::from_millis(300)).await;

        let refused = submitter
            .call("POST /v1/batches", &batch(1, 1))
            .await
            .unwrap();
        assert_eq!(refused.status, 503, "{refused:?}");
        assert_eq!(refused.body["error"]["code"], "shutting_down");
        let health = prober.call("GET /healthz", "").await.unwrap();
        assert_eq!(health.status, 503, "{health:?}");
        assert_eq!(health.body["status"], "stopping");
        assert!(
            TcpStream::connect(server.addr).await.is_err(),
            "no new connection once stopping"
        );

        let status = exit_status(&mut server, Duration::from_secs(15)).await;
        assert_eq!(status.code(), Some(0), "{status:?}");
        let stopped = signalled.elapsed();
        assert!(
            stopped >= Duration::from_millis(3000),
            "the running batch had its grace: {stopped:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_ends_the_grace_at_once() {
    bounded(async {
        let mut server = Server::start(&["--grace-ms", "30000"]).await;
        let mut client = Connection::open(server.addr).await;
        client.send("POST /v1/batches", &batch(1, 30_000)).await;
        until_batches(server.addr, 1).await;
        let signalled = Instant::now();
        send_signal(&server, Signal::SIGTERM);
        tokio::time::sleep(Duration::from_millis(300)).await;
        send_signal(&server, Signal::SIGINT);

        let answer = client.answer().await.expect("the open request is answered");
        assert_eq!(statuses(&answer.body), ["cancelled"]);
        let status = exit_status(&mut server, Duration::from_secs(10)).await;
        assert_eq!(status.code(), Some(0), "{status:?}");
        let stopped = signalled.elapsed();
        assert!(
            stopped < Duration::from_secs(10),
            "not the 30 s grace: {stopped:?}"
        );
    })
    .await;
}
