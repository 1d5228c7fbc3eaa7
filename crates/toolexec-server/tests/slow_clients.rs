//! The server defends its socket: slow headers, slow bodies, idle connections and
//! too many connections, over a real socket on 127.0.0.1, each bounded in time.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use toolexec_server::Limits;

/// Serves the common tools under `limits` on a fresh port.
async fn start(limits: Limits) -> SocketAddr {
    let state = common::state_with(|b| b.limits(limits));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(toolexec_server::serve_listener(
        listener,
        state,
        std::future::pending(),
    ));
    addr
}

/// Reads until the server closes the connection; what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    String::from_utf8_lossy(&raw).into_owned()
}

fn bounded<F: std::future::Future>(seconds: u64, test: F) -> tokio::time::Timeout<F> {
    tokio::time::timeout(Duration::from_secs(seconds), test)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_sent_at_one_byte_per_second_are_cut_off_after_the_header_timeout() {
    let addr = start(Limits {
        header_read_timeout: Duration::from_secs(2),
        ..Limits::default()
    })
    .await;
    let test = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let started = Instant::now();
        let head = b"POST /v1/batches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
        let mut closed_at = None;
        for byte in head {
            if stream.write_all(&[*byte]).await.is_err() {
                closed_at = Some(started.elapsed());
                break;
            }
            let mut buffer = [0u8; 256];
            match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    closed_at = Some(started.elapsed());
                    break;
                }
                Ok(Ok(_)) | Err(_) => {}
            }
        }
        let closed_at = closed_at.expect("the server closed the connection");
        assert!(
            closed_at >= Duration::from_millis(1900) && closed_at < Duration::from_secs(5),
            "closed after {closed_at:?}"
        );
    };
    bounded(20, test).await.expect("within 20 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_trickling_past_the_body_timeout_is_answered_408_and_cut() {
    let addr = start(Limits {
        body_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let test = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = "POST /v1/batches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                    Content-Length: 100\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        let (mut reader, mut writer) = stream.into_split();
        let trickle = tokio::spawn(async move {
            for _ in 0..100 {
                if writer.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        let mut raw = Vec::new();
        let _ = reader.read_to_end(&mut raw).await;
        let elapsed = started.elapsed();
        trickle.abort();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("request_timeout"), "{text}");
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5),
            "cut after {elapsed:?}"
        );
    };
    bounded(20, test).await.expect("within 20 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed() {
    let addr = start(Limits {
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let test = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut first = [0u8; 12];
        stream.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        let started = Instant::now();
        read_until_closed(&mut stream).await;
        let idle = started.elapsed();
        assert!(idle < Duration::from_secs(4), "closed after {idle:?} idle");
    };
    bounded(20, test).await.expect("within 20 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_above_the_limit_wait_until_one_closes() {
    let addr = start(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    let test = async {
        let first = TcpStream::connect(addr).await.unwrap();
        let _second = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut third = TcpStream::connect(addr).await.unwrap();
        third
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut buffer = [0u8; 12];
        let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut buffer)).await;
        assert!(
            early.is_err(),
            "the third connection waits while two are open"
        );
        drop(first);
        let answer = read_until_closed(&mut third).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    };
    bounded(20, test).await.expect("within 20 s");
}
