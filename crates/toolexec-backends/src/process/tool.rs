//! [`ProcessTool`]: one attempt is one run of the program.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use toolexec::{CallContext, Tool, ToolError, ToolSpec};

use super::exit::exit_error;
use super::output::{read_capped, read_stderr, Captured};
use crate::deadline::backstop;
use crate::group::ProcessGroup;
use crate::text::parse_json_output;

/// A local program as a [`Tool`]; built by [`ProcessConfig::build`](super::ProcessConfig::build).
///
/// Each attempt starts the program in a new process group, writes the input as one
/// line of JSON to its stdin and closes it, and reads stdout and stderr until the
/// program exits. The group is killed when the program exits, when its output passes
/// `max_output_bytes`, when the attempt's deadline passes, when the call is cancelled,
/// and when the engine drops the attempt. Progress lines on standard error (see
/// `progress_line.rs`) are reported to the engine as they come.
pub struct ProcessTool {
    spec: ToolSpec,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    working_dir: Option<PathBuf>,
    max_output_bytes: u64,
}

impl std::fmt::Debug for ProcessTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Environment values may hold secrets: only their names are shown.
        f.debug_struct("ProcessTool")
            .field("name", &self.spec.name)
            .field("program", &self.program)
            .field("args", &self.args)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

impl ProcessTool {
    pub(super) fn new(
        spec: ToolSpec,
        program: PathBuf,
        args: Vec<String>,
        env: Vec<(String, String)>,
        working_dir: Option<PathBuf>,
        max_output_bytes: u64,
    ) -> Self {
        Self {
            spec,
            program,
            args,
            env,
            working_dir,
            max_output_bytes,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if let Some(dir) = &self.working_dir {
            command.current_dir(dir);
        }
        command
    }

    async fn run(&self, input: &Value, ctx: CallContext) -> Result<Value, ToolError> {
        let mut payload = serde_json::to_vec(input)
            .map_err(|e| ToolError::invalid_input("input", e.to_string()))?;
        payload.push(b'\n');
        let mut child = self.command().spawn().map_err(|e| self.spawn_error(&e))?;
        let group = ProcessGroup::new(child.id());
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();

        let write = async move {
            if let Some(mut stdin) = stdin {
                // A program that exits without reading its input is not an error here.
                let _ = stdin.write_all(&payload).await;
                let _ = stdin.shutdown().await;
            }
        };
        let read_out = async {
            let captured = read_capped(stdout, self.max_output_bytes).await;
            if matches!(captured, Ok(Captured::TooLarge(_))) {
                group.kill();
            }
            captured
        };
        // Once the program exits, what is left of its group goes too; that also closes
        // the pipes a lingering grandchild would hold open.
        let wait = async {
            let status = child.wait().await;
            group.kill();
            status
        };
        let run = async { tokio::join!(write, read_out, read_stderr(stderr, &ctx), wait) };
        let deadline = async {
            match backstop(&ctx) {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        let ((), stdout, stderr, status) = tokio::select! {
            biased;
            _ = ctx.cancellation.cancelled() => return Err(ToolError::OutcomeUnknown {
                message: "the call was cancelled; the process group was killed".to_owned(),
            }),
            _ = deadline => return Err(ToolError::OutcomeUnknown {
                message: "the attempt's deadline passed; the process group was killed".to_owned(),
            }),
            outputs = run => outputs,
        };
        let lost = |e: std::io::Error| ToolError::OutcomeUnknown {
            message: format!("lost contact with the process: {e}"),
        };
        let status = status.map_err(lost)?;
        match stdout.map_err(lost)? {
            Captured::TooLarge(size) => Err(ToolError::BadOutput {
                message: format!(
                    "standard output ({size} bytes or more) exceeds max_output_bytes ({})",
                    self.max_output_bytes
                ),
            }),
            Captured::Complete(_) if !status.success() => Err(exit_error(status, stderr)),
            Captured::Complete(bytes) => parse_json_output(&bytes, "standard output"),
        }
    }

    fn spawn_error(&self, error: &std::io::Error) -> ToolError {
        let message = format!("cannot start `{}`: {error}", self.program.display());
        match error.kind() {
            std::io::ErrorKind::NotFound => ToolError::NotFound { message },
            std::io::ErrorKind::PermissionDenied => ToolError::PermissionDenied { message },
            _ => ToolError::Transient { message },
        }
    }
}

impl Tool for ProcessTool {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn call<'a>(
        &'a self,
        input: &'a Value,
        ctx: CallContext,
    ) -> futures::future::BoxFuture<'a, Result<Value, ToolError>> {
        Box::pin(self.run(input, ctx))
    }
}
