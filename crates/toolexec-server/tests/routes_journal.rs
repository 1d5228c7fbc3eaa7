//! The routes that read the durable journal: listing, history, redrive, and batches of
//! an earlier process served from the journal after a restart.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use common::{error_of, get, post_json, send};
use serde_json::{json, Value};
use toolexec::{
    tool_fn, CallPolicy, Executor, SimConfig, SimTool, ToolAnnotations, ToolError, ToolSpec,
};
use toolexec_journal::{EngineJournal, JournalConfig};
use toolexec_server::{app, AppState};

const WAIT: Duration = Duration::from_secs(10);

/// A server journaling into `path`: `flaky` fails its first call then answers, `charge`
/// is a mutating tool that always fails, `echo` answers. No retries, so a failure
/// shows at once.
fn journaled_app(path: &std::path::Path) -> (Router, Arc<EngineJournal>) {
    journaled_app_with(path, JournalConfig::default())
}

fn journaled_app_with(
    path: &std::path::Path,
    config: JournalConfig,
) -> (Router, Arc<EngineJournal>) {
    let (journal, _) = EngineJournal::open(path, config).expect("opens");
    let calls = Arc::new(AtomicU32::new(0));
    let flaky = tool_fn(
        ToolSpec::new("flaky", "fails its first call"),
        move |_, _| {
            let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    Err(ToolError::transient("the first call fails"))
                } else {
                    Ok(json!("fine"))
                }
            }
        },
    );
    let charge = SimTool::new(
        "charge",
        SimConfig {
            fail_first: u32::MAX,
            ..SimConfig::default()
        },
    )
    .with_annotations(ToolAnnotations {
        read_only: false,
        idempotent: false,
        destructive: false,
    });
    let executor = Executor::builder()
        .defaults(CallPolicy {
            max_retries: 0,
            ..CallPolicy::default()
        })
        .tool(Arc::new(flaky))
        .tool(Arc::new(charge))
        .tool(Arc::new(SimTool::new("echo", SimConfig::default())))
        .journal(journal.clone())
        .build()
        .expect("valid executor");
    let state = AppState::builder(executor)
        .journal(journal.clone())
        .build()
        .expect("valid state");
    (app(state), journal)
}

async fn run_batch(app: &Router, calls: Value) -> Value {
    let (status, _, view) = send(app, post_json("/v1/batches", &json!({ "calls": calls }))).await;
    assert_eq!(status, 200, "{view}");
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_listed_newest_first_and_history_filters_by_tool_and_status() {
    let dir = tempfile::tempdir().expect("a directory");
    let (app, journal) = journaled_app(&dir.path().join("journal.db"));
    let first = run_batch(&app, json!([{"tool": "echo"}, {"tool": "flaky"}])).await;
    let second = run_batch(&app, json!([{"tool": "echo"}])).await;
    journal.flush(WAIT).expect("flushed");

    let (status, _, list) = send(&app, get("/v1/batches")).await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<&str> = list["batches"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|b| b["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(
        ids,
        [
            second["batch_id"].as_str().unwrap(),
            first["batch_id"].as_str().unwrap()
        ]
    );
    assert_eq!(
        list["batches"][1]["counts"],
        json!({"failed": 1, "success": 1})
    );

    let (status, _, page) = send(&app, get("/v1/history?tool=flaky&status=failed")).await;
    assert_eq!(status, 200, "{page}");
    let calls = page["calls"].as_array().expect("calls");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["batch_id"], first["batch_id"]);
    let (_, _, all) = send(&app, get("/v1/history?limit=2")).await;
    assert_eq!(all["calls"].as_array().map(Vec::len), Some(2));

    let (status, _, body) = send(&app, get("/v1/history?status=weird")).await;
    assert_eq!(
        (status.as_u16(), error_of(&body).1),
        (422, Some("status".into()))
    );
    let (status, _, body) = send(&app, get("/v1/batches?limit=0")).await;
    assert_eq!(
        (status.as_u16(), error_of(&body).1),
        (422, Some("limit".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redrive_reruns_failed_calls_as_a_linked_batch_and_skips_unsafe_ones() {
    let dir = tempfile::tempdir().expect("a directory");
    let (app, journal) = journaled_app(&dir.path().join("journal.db"));
    let calls = json!([
        {"tool": "echo", "call_id": "ok"},
        {"tool": "flaky", "call_id": "again", "input": {"n": 1}},
        {"tool": "charge", "call_id": "no-key"},
        {"tool": "charge", "call_id": "with-key", "idempotency_key": "k-1"}
    ]);
    let original = run_batch(&app, calls).await;
    let id = original["batch_id"].as_str().expect("an id").to_owned();
    journal.flush(WAIT).expect("flushed");

    let (status, _, redrive) = send(
        &app,
        post_json(&format!("/v1/batches/{id}/redrive"), &json!({})),
    )
    .await;
    assert_eq!(status, 200, "{redrive}");
    assert_eq!(redrive["redrive_of"], json!(id));
    assert_ne!(redrive["batch_id"], json!(id));
    let envelopes = redrive["envelopes"].as_array().expect("envelopes");
    let ran: Vec<&str> = envelopes
        .iter()
        .map(|e| e["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ran,
        ["again", "with-key"],
        "the succeeded call is not run again"
    );
    assert_eq!(
        envelopes[0]["status"], "success",
        "flaky fails only its first call"
    );
    let skipped = redrive["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["call_id"], "no-key");
    assert!(skipped[0]["reason"]
        .as_str()
        .unwrap()
        .contains("idempotency_key"));

    journal.flush(WAIT).expect("flushed");
    let new_id = redrive["batch_id"].as_str().unwrap();
    let (_, _, list) = send(&app, get("/v1/batches?limit=1")).await;
    assert_eq!(list["batches"][0]["id"], json!(new_id));
    assert_eq!(list["batches"][0]["redrive_of"], json!(id));

    let (status, _, body) = send(&app, post_json("/v1/batches/b-999/redrive", &json!({}))).await;
    assert_eq!(
        (status.as_u16(), error_of(&body).0),
        (404, "not_found".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_nothing_to_redrive_is_refused_naming_why() {
    let dir = tempfile::tempdir().expect("a directory");
    let (app, journal) = journaled_app(&dir.path().join("journal.db"));
    let done = run_batch(&app, json!([{"tool": "echo"}])).await;
    journal.flush(WAIT).expect("flushed");
    let id = done["batch_id"].as_str().unwrap();
    let (status, _, body) = send(
        &app,
        post_json(&format!("/v1/batches/{id}/redrive"), &json!({})),
    )
    .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    assert_eq!(error_of(&body).0, "invalid_input");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nothing to redrive"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_serves_the_batches_of_the_last_process_from_the_journal() {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("journal.db");
    let (id, envelopes) = {
        let (app, journal) = journaled_app(&path);
        let view = run_batch(
            &app,
            json!([{"tool": "echo", "input": {"text": "é"}}, {"tool": "flaky"}]),
        )
        .await;
        journal.flush(WAIT).expect("flushed");
        (view["batch_id"].clone(), view["envelopes"].clone())
    };
    let (app, _journal) = journaled_app(&path);
    let (status, _, view) = send(&app, get(&format!("/v1/batches/{}", id.as_str().unwrap()))).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["status"], "done");
    assert_eq!(
        view["envelopes"], envelopes,
        "the same envelopes as the first process gave"
    );
    let (_, _, next) = send(
        &app,
        post_json("/v1/batches", &json!({"calls": [{"tool": "echo"}]})),
    )
    .await;
    assert_ne!(next["batch_id"], id, "ids are never reused");
}

#[tokio::test]
async fn journal_routes_on_a_server_without_a_journal_answer_501_no_journal() {
    let app = common::router();
    for uri in ["/v1/batches", "/v1/history"] {
        let (status, _, body) = send(&app, get(uri)).await;
        assert_eq!(
            (status.as_u16(), error_of(&body).0),
            (501, "no_journal".into()),
            "{uri}"
        );
    }
    let (status, _, body) = send(&app, post_json("/v1/batches/b-1/redrive", &json!({}))).await;
    assert_eq!(
        (status.as_u16(), error_of(&body).0),
        (501, "no_journal".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_report_the_journal() {
    let dir = tempfile::tempdir().expect("a directory");
    let (app, journal) = journaled_app(&dir.path().join("journal.db"));
    run_batch(&app, json!([{"tool": "echo"}])).await;
    journal.flush(WAIT).expect("flushed");
    let (_, _, health) = send(&app, get("/healthz")).await;
    assert_eq!(health["journal"]["state"], "healthy", "{health}");
    assert!(
        health["journal"]["written"].as_u64().unwrap() >= 3,
        "{health}"
    );
    let (_, _, metrics) = send(&app, get("/metrics")).await;
    let metrics = metrics.as_str().unwrap_or_default().to_owned();
    assert!(metrics.contains("toolexec_journal_degraded 0"), "{metrics}");
    assert!(metrics.contains("toolexec_journal_dropped 0"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_work_waits_with_429_journal_behind_while_the_writer_is_behind() {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("journal.db");
    let config = JournalConfig {
        queue_capacity: 8,
        ..JournalConfig::default()
    };
    let (app, journal) = journaled_app_with(&path, config);
    // Another process holds the database: the writer cannot commit meanwhile.
    let blocker = rusqlite::Connection::open(&path).expect("opens");
    blocker.execute_batch("BEGIN EXCLUSIVE").expect("locks");
    let calls = json!([{"tool": "echo"}, {"tool": "echo"}, {"tool": "echo"}]);
    run_batch(&app, calls.clone()).await;
    let (status, headers, body) =
        send(&app, post_json("/v1/batches", &json!({ "calls": calls }))).await;
    assert_eq!(status.as_u16(), 429, "{body}");
    assert_eq!(error_of(&body).0, "journal_behind");
    assert_eq!(headers["retry-after"], "1");

    blocker.execute_batch("COMMIT").expect("unlocks");
    drop(blocker);
    let _ = journal.flush(WAIT);
    let (status, _, body) = send(&app, post_json("/v1/batches", &json!({ "calls": calls }))).await;
    assert_eq!(status.as_u16(), 200, "once the writer caught up: {body}");
}
