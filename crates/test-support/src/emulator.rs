//! The cargo-lambda emulator (`cargo lambda watch`) as a test peer on 127.0.0.1.
//!
//! `scripts/setup/cargo-lambda.sh` installs cargo-lambda (quick when it is there).
//! The emulator builds the functions of one package itself, with `cargo run`, on the
//! first invocation of each; it builds into `target/lambda-emulator` so it never waits
//! for the lock of the workspace's own target directory, and ignores file changes so
//! edits elsewhere in the workspace do not restart it. cargo-lambda starts `cargo
//! run` in a session of its own, so [`Emulator`]'s `Drop` kills every process group
//! in its tree.

use std::collections::HashSet;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// Runs the setup script that installs cargo-lambda; the error says why it failed.
pub fn install_cargo_lambda() -> Result<(), String> {
    let script = workspace_root().join("scripts/setup/cargo-lambda.sh");
    let output = Command::new("bash")
        .arg(&script)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed: {}{}",
            script.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A running `cargo lambda watch` serving the functions of one package.
#[derive(Debug)]
pub struct Emulator {
    child: Child,
    /// The Invoke API's base URL, `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Where the emulator's output goes.
    pub log: PathBuf,
}

impl Emulator {
    /// Starts the emulator for the package at `manifest` (relative to the workspace),
    /// with `env` set for its functions.
    pub fn start(manifest: &str, env: &[(&str, String)], log: PathBuf) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let root = workspace_root();
        let output = File::create(&log).expect("the emulator log");
        let child = Command::new("cargo")
            .args([
                "lambda",
                "watch",
                "--ignore-changes",
                "--invoke-address",
                "127.0.0.1",
            ])
            .args([
                "--invoke-port",
                &port.to_string(),
                "--manifest-path",
                manifest,
            ])
            .args(
                env.iter()
                    .flat_map(|(k, v)| ["--env-var".to_owned(), format!("{k}={v}")]),
            )
            .env("CARGO_TARGET_DIR", root.join("target/lambda-emulator"))
            .current_dir(&root)
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("the log"))
            .stderr(output)
            .process_group(0)
            .spawn()
            .expect("cargo lambda watch starts");
        Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// The end of the emulator's output, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(3000);
        text.get(start..).unwrap_or(&text).to_owned()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let root = self.child.id();
        let tree = descendants(root);
        let mut groups = HashSet::new();
        for &pid in tree.iter().chain(std::iter::once(&root)) {
            groups.insert(process_group(pid).unwrap_or(pid));
        }
        for group in groups {
            let _ = killpg(Pid::from_raw(group as i32), Signal::SIGKILL);
        }
        for pid in tree {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(pid, ppid, pgid)` of every process, from `/proc`.
fn processes() -> Vec<(u32, u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let mut fields = stat.rsplit(')').next()?.split_whitespace().skip(1);
            let ppid = fields.next()?.parse().ok()?;
            let pgid = fields.next()?.parse().ok()?;
            Some((pid, ppid, pgid))
        })
        .collect()
}

fn process_group(pid: u32) -> Option<u32> {
    processes().into_iter().find(|p| p.0 == pid).map(|p| p.2)
}

/// Every process below `root`.
pub fn descendants(root: u32) -> Vec<u32> {
    let all = processes();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(all.iter().filter(|p| p.1 == parent).map(|p| p.0));
        i += 1;
    }
    found.remove(0);
    found
}
