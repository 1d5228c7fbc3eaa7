//! The dashboard end to end in headless Chromium: a real server on 127.0.0.1:0 with sim
//! tools, driven by `e2e/dashboard.mjs` (Playwright). Needs `scripts/setup/chromium.sh`.
//! Skips, loudly, when node or Chromium are missing, unless `TOOLEXEC_REQUIRE_BROWSER`
//! is set (as `scripts/test.sh` does), in which case their absence fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::process::Command;

const TOKEN: &str = "dashboard-e2e-token";
const BROWSER_TEST_LIMIT: Duration = Duration::from_secs(120);

/// What the browser test needs, or why it cannot run.
fn prerequisites(e2e: &Path) -> Result<(), String> {
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} is missing"));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("node is missing".into());
    }
    if !e2e.join("node_modules/playwright-core").is_dir() {
        return Err(format!("{} has no playwright-core", e2e.display()));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_shows_a_batch_live_in_headless_chromium() {
    let e2e = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("e2e");
    if let Err(missing) = prerequisites(&e2e) {
        if std::env::var_os("TOOLEXEC_REQUIRE_BROWSER").is_some() {
            panic!("TOOLEXEC_REQUIRE_BROWSER is set but {missing}; run scripts/setup/chromium.sh");
        }
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             SKIPPED dashboard browser test: {missing}.\n\
             Run scripts/setup/chromium.sh, or set TOOLEXEC_REQUIRE_BROWSER=1 to fail instead.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        return;
    }

    let state = common::state_with(|b| b.api_token(Some(TOKEN.into())));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(toolexec_server::serve_listener(
        listener,
        state,
        std::future::pending(),
    ));

    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    let _ = std::fs::remove_file(&screenshot);
    let run = Command::new("node")
        .arg(e2e.join("dashboard.mjs"))
        .arg(format!("http://{addr}"))
        .arg(&screenshot)
        .env("TOOLEXEC_API_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(BROWSER_TEST_LIMIT, run)
        .await
        .expect("the browser test finishes within its time limit")
        .expect("node starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!(
        "dashboard.mjs: {stdout}{stderr}\nscreenshot: {}",
        screenshot.display()
    );
    assert!(
        output.status.success(),
        "dashboard.mjs failed: {stdout}{stderr}"
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["ok"], true);
    assert_eq!(
        seen["asked_for_token"], true,
        "the page asked for the token"
    );
    assert!(seen["failure_message"]
        .as_str()
        .unwrap()
        .contains("scripted tool_error"));
    assert!(
        seen["slow_progress"].as_str().unwrap_or("").ends_with("/8"),
        "the live calls show a running call's progress: {}",
        seen["slow_progress"]
    );
    assert_eq!(
        seen["echo_policies"], "1 tool_error",
        "the tools table shows failures by kind"
    );
    assert!(
        std::fs::metadata(&screenshot).unwrap().len() > 10_000,
        "a real screenshot"
    );

    server.abort();
}
