//! Helpers shared by the backend tests: an executor with quick retries, process
//! checks, bounded waiting, and a scratch directory.

#![allow(dead_code)]

pub(crate) mod emulator;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use toolexec::{Executor, Jitter, PolicyOverrides, Tool, ToolOptions};

/// Retry quickly and predictably: 10 ms, 20 ms, ... without jitter.
pub(crate) fn quick_retries() -> ToolOptions {
    ToolOptions::default().with_policy(PolicyOverrides {
        backoff_initial: Some(Duration::from_millis(10)),
        backoff_max: Some(Duration::from_millis(100)),
        jitter: Some(Jitter::None),
        ..PolicyOverrides::default()
    })
}

/// An executor with `tools`, each retried quickly.
pub(crate) fn executor(tools: impl IntoIterator<Item = Arc<dyn Tool>>) -> Executor {
    tools
        .into_iter()
        .fold(Executor::builder(), |b, t| b.tool_with(t, quick_retries()))
        .build()
        .expect("a valid executor")
}

/// Whether `pid` is a live process (a zombie counts as gone).
pub(crate) fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The state follows the parenthesised command name.
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next());
            state != Some("Z") && state != Some("X")
        }
        Err(_) => false,
    }
}

/// Polls `condition` every 20 ms for up to `limit`; whether it became true.
pub(crate) async fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let end = tokio::time::Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if tokio::time::Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A fresh, empty directory under the target directory for one test.
pub(crate) fn scratch_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("backends-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Reads a pid written by a test script, waiting up to 5 s for it to appear.
pub(crate) async fn read_pid(path: &std::path::Path) -> u32 {
    let mut pid = None;
    eventually(Duration::from_secs(5), || {
        pid = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok());
        pid.is_some()
    })
    .await;
    pid.expect("the script wrote its pid")
}
