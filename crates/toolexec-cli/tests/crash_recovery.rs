//! What survives SIGKILL: `toolexec serve` and `toolexec run --journal` are killed
//! with calls in flight and started again on the same journal. Every call that had
//! ended is there with its envelope; every call that had not is `interrupted`; batch
//! listings, history and statistics come back from the journal; ids are not reused.

#![allow(clippy::unwrap_used)] // a test that cannot set up should panic

mod common;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::request;
use serde_json::Value;

const CONFIG: &str = r#"
[tools.echo]
backend = "sim"

[tools.long]
backend = "sim"
latency_ms = 60000

[tools.slow]
backend = "sim"
latency_ms = 1500
"#;

/// A directory with a configuration, a seeded database and room for a journal.
struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("toolexec.toml"), CONFIG).unwrap();
        let seeded = toolexec(&dir, &["data", "seed", "--scale", "1"]);
        assert!(seeded.status.success(), "{seeded:?}");
        Place { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn journal(&self) -> String {
        self.path("journal.db").display().to_string()
    }
}

/// Runs `toolexec ARGS --config ... --db ...` in `dir` to its end.
fn toolexec(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    command(dir.path(), args).output().unwrap()
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_toolexec"));
    command
        .args(args)
        .arg("--config")
        .arg(dir.join("toolexec.toml"))
        .arg("--db")
        .arg(dir.join("sample.db"))
        .env_remove(toolexec_server::TOKEN_ENV)
        .env_remove("TOOLEXEC_SERVER");
    command
}

/// `toolexec serve` on a free port with the journal beside the database (the default).
async fn serve(place: &Place) -> (Child, SocketAddr) {
    serve_with(place, &[]).await
}

async fn serve_with(place: &Place, flags: &[&str]) -> (Child, SocketAddr) {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let addr_arg = addr.to_string();
    let mut args = vec!["serve", "--addr", addr_arg.as_str()];
    args.extend_from_slice(flags);
    let child = command(place.dir.path(), &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while request(addr, "GET /healthz HTTP/1.1", "").await.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, addr)
}

/// The JSON body of a response.
fn body(response: &str) -> Value {
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"))
}

async fn call(addr: SocketAddr, line: &str, json: &str) -> Value {
    body(&request(addr, line, json).await.unwrap())
}

/// Kills `child` with SIGKILL, as a crash would.
fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_killed_mid_batch_comes_back_with_ended_calls_intact_and_the_rest_interrupted() {
    let test = async {
        let place = Place::new();
        let (server, addr) = serve(&place).await;
        let finished = call(
            addr,
            "POST /v1/batches HTTP/1.1",
            r#"{"calls": [{"tool": "echo", "call_id": "a"}, {"tool": "echo", "call_id": "b"}]}"#,
        )
        .await;
        assert_eq!(finished["batch_id"], "b-1", "{finished}");
        let running = call(
            addr,
            "POST /v1/batches?wait=false HTTP/1.1",
            r#"{"calls": [{"tool": "echo", "call_id": "quick"}, {"tool": "long", "call_id": "l1"},
                          {"tool": "long", "call_id": "l2"}]}"#,
        )
        .await;
        assert_eq!(running["batch_id"], "b-2", "{running}");
        // Wait until the quick call has ended and its end reached the journal.
        let started = Instant::now();
        loop {
            let view = call(addr, "GET /v1/batches/b-2 HTTP/1.1", "").await;
            if view["calls"][0]["status"] == "success" {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{view}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = call(addr, "GET /healthz HTTP/1.1", "").await;
        assert_eq!(before["journal"]["state"], "healthy", "{before}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        kill(server);

        let (server, addr) = serve(&place).await;
        let again = call(addr, "GET /v1/batches/b-1 HTTP/1.1", "").await;
        assert_eq!(
            again["envelopes"].to_string(),
            finished["envelopes"].to_string(),
            "ended calls come back byte for byte"
        );
        let crashed = call(addr, "GET /v1/batches/b-2 HTTP/1.1", "").await;
        assert_eq!(crashed["status"], "done", "{crashed}");
        assert_eq!(crashed["interrupted"], true, "{crashed}");
        let statuses: Vec<&str> = crashed["envelopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["success", "interrupted", "interrupted"]);
        assert_eq!(crashed["envelopes"][1]["error"]["kind"], "interrupted");
        assert_eq!(crashed["envelopes"][1]["call_id"], "l1");

        let list = call(addr, "GET /v1/batches HTTP/1.1", "").await;
        let ids: Vec<&str> = list["batches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["b-2", "b-1"]);
        let history = call(addr, "GET /v1/history?status=interrupted HTTP/1.1", "").await;
        assert_eq!(
            history["calls"].as_array().map(Vec::len),
            Some(2),
            "{history}"
        );
        let stats = call(addr, "GET /v1/stats HTTP/1.1", "").await;
        assert_eq!(stats["overall"]["total"], 5, "{stats}");
        assert_eq!(stats["overall"]["by_status"]["success"], 3, "{stats}");
        assert_eq!(stats["overall"]["by_status"]["interrupted"], 2, "{stats}");

        let next = call(
            addr,
            "POST /v1/batches HTTP/1.1",
            r#"{"calls": [{"tool": "echo"}]}"#,
        )
        .await;
        assert_eq!(next["batch_id"], "b-3", "ids go on, never reused");
        kill(server);
    };
    tokio::time::timeout(Duration::from_secs(180), test)
        .await
        .expect("within 180 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_flushes_the_journal_so_cancelled_calls_stay_cancelled_after_a_restart() {
    let test = async {
        let place = Place::new();
        let (mut server, addr) = serve_with(&place, &["--grace-ms", "200"]).await;
        let accepted = call(
            addr,
            "POST /v1/batches?wait=false HTTP/1.1",
            r#"{"calls": [{"tool": "echo", "call_id": "quick"}, {"tool": "long", "call_id": "l"}]}"#,
        )
        .await;
        assert_eq!(accepted["batch_id"], "b-1", "{accepted}");
        let started = Instant::now();
        while call(addr, "GET /v1/batches/b-1 HTTP/1.1", "").await["calls"][0]["status"]
            != "success"
        {
            assert!(started.elapsed() < Duration::from_secs(30));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let pid = nix::unistd::Pid::from_raw(i32::try_from(server.id()).unwrap());
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let status = server.wait().unwrap();
        assert_eq!(status.code(), Some(0));

        let (server, addr) = serve(&place).await;
        let view = call(addr, "GET /v1/batches/b-1 HTTP/1.1", "").await;
        let statuses: Vec<&str> = view["envelopes"]
            .as_array()
            .unwrap_or_else(|| panic!("{view}"))
            .iter()
            .map(|e| e["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["success", "cancelled"], "{view}");
        assert_eq!(
            view.get("interrupted"),
            None,
            "nothing was left unfinished: {view}"
        );
        kill(server);
    };
    tokio::time::timeout(Duration::from_secs(120), test)
        .await
        .expect("within 120 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_a_journal_killed_mid_batch_is_recovered_and_redriven() {
    let test = async {
        let place = Place::new();
        let batch = place.path("batch.json");
        std::fs::write(
            &batch,
            r#"{"calls": [{"tool": "echo", "call_id": "first"}, {"tool": "slow", "call_id": "second"},
                          {"tool": "long", "call_id": "third"}]}"#,
        )
        .unwrap();
        let journal = place.journal();
        let batch_arg = batch.display().to_string();
        let run = command(
            place.dir.path(),
            &[
                "run",
                "--file",
                &batch_arg,
                "--journal",
                &journal,
                "--quiet",
                "--json",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        // Wait until the journal holds the first call's end (history never recovers,
        // so it can read a journal in use).
        let started = Instant::now();
        loop {
            let out = toolexec(&place.dir, &["history", "--journal", &journal, "--json"]);
            let rows: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            if rows.as_array().is_some_and(|r| !r.is_empty()) {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{out:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        kill(run);

        // The long tool is mended (a tenth of a second now), and a redrive opens the
        // journal for a new process: the unfinished calls become interrupted, and it
        // runs them again.
        let mended = CONFIG.replace("latency_ms = 60000", "latency_ms = 100");
        std::fs::write(place.path("toolexec.toml"), mended).unwrap();
        let out = toolexec(
            &place.dir,
            &["redrive", "b-1", "--journal", &journal, "--json"],
        );
        let redrive: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
        assert_eq!(redrive["redrive_of"], "b-1", "{redrive}");
        assert_eq!(redrive["batch_id"], "b-2", "{redrive}");
        let redriven: Vec<&str> = redrive["envelopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["call_id"].as_str().unwrap())
            .collect();
        assert!(redriven.contains(&"third"), "{redrive}");
        assert!(
            !redriven.contains(&"first"),
            "an ended call is not run again: {redrive}"
        );

        let out = toolexec(
            &place.dir,
            &[
                "history",
                "--journal",
                &journal,
                "--status",
                "interrupted",
                "--json",
            ],
        );
        let interrupted: Value = serde_json::from_slice(&out.stdout).unwrap();
        let ids: Vec<&str> = interrupted
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["call_id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"third"), "{interrupted}");
        assert!(!ids.contains(&"first"), "{interrupted}");
        let out = toolexec(
            &place.dir,
            &["history", "--journal", &journal, "--tool", "echo", "--json"],
        );
        let echo: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(echo[0]["status"], "success", "{echo}");
        assert_eq!(echo[0]["batch_id"], "b-1", "{echo}");
    };
    tokio::time::timeout(Duration::from_secs(240), test)
        .await
        .expect("within 240 s");
}
