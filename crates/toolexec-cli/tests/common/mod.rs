//! A `toolexec serve` child process on a free loopback port, and a raw HTTP/1.1 client.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A `toolexec serve` child, killed when dropped.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONFIG: &str = r#"
[tools.long]
backend = "sim"
latency_ms = 60000

[tools.echo]
backend = "sim"
"#;

impl Server {
    /// Starts `toolexec serve` on a free loopback port with `flags`, and waits until
    /// `/healthz` answers. A server that exits before it answers lost its port between
    /// the probe that found it free and its own bind (another test's connection may
    /// take it meanwhile): it is started again on another port, up to three times.
    pub async fn start(flags: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("toolexec.toml");
        std::fs::write(&config, CONFIG).unwrap();
        let db = dir.path().join("sample.db");
        seed_database(&db);
        let started = Instant::now();
        for _ in 0..3 {
            let addr = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap();
            let mut child = Command::new(env!("CARGO_BIN_EXE_toolexec"))
                .args(["serve", "--addr", &addr.to_string(), "--config"])
                .arg(&config)
                .arg("--db")
                .arg(&db)
                .args(flags)
                .env_remove(toolexec_server::TOKEN_ENV)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            loop {
                if request(addr, "GET /healthz HTTP/1.1", "").await.is_some() {
                    return Server {
                        child,
                        addr,
                        _dir: dir,
                    };
                }
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "serve did not start"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        panic!("serve exited at start three times");
    }

    /// The resident memory of the server process, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the server to exit, and returns its exit status.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Creates the sample database at `db` (scale 1).
pub fn seed_database(db: &std::path::Path) {
    let seeded = Command::new(env!("CARGO_BIN_EXE_toolexec"))
        .args(["data", "seed", "--scale", "1", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
}

/// Sends one request (`request_line` plus `body`) and returns the whole response.
pub async fn request(addr: SocketAddr, request_line: &str, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let head = format!(
        "{request_line}\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    Some(String::from_utf8_lossy(&raw).into_owned())
}
