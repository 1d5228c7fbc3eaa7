//! Local programs as tools: the input as JSON on stdin, the result as JSON on stdout.
//!
//! The program runs with its arguments as a vector (never through a shell), in a
//! process group of its own. When the attempt ends for any reason (the program exits,
//! the engine times the attempt out, the call is cancelled, the output grows past its
//! cap) the whole group is killed, so no grandchild outlives the call.
//!
//! Exit codes map onto [`ToolError`](toolexec::ToolError), following `sysexits.h`
//! where it has a word for it; standard error (cut to 4 KiB) is the message:
//!
//! | exit | error | retried |
//! | --- | --- | --- |
//! | 0 | stdout parsed as JSON (empty is `null`; not JSON is `BadOutput`) | |
//! | 2, 64 `EX_USAGE`, 65 `EX_DATAERR` | `InvalidInput` | no |
//! | 66 `EX_NOINPUT` | `NotFound` | no |
//! | 69 `EX_UNAVAILABLE`, 75 `EX_TEMPFAIL` | `Transient` | yes |
//! | 77 `EX_NOPERM` | `PermissionDenied` | no |
//! | any other code | `Failed` with `error_type` `exit code N` | no |
//! | killed by a signal | `Failed` with `error_type` `signal N` | no |
//!
//! A program reports progress with lines on standard error of the form
//! `toolexec-progress {"progress": 3, "total": 10, "message": "..."}` (`progress_line.rs`
//! has the protocol): each resets the attempt's idle timeout and becomes a `progress`
//! event, and is left out of the standard error an error message quotes.

mod config;
mod exit;
mod output;
mod progress_line;
mod tool;

pub use config::ProcessConfig;
pub use tool::ProcessTool;
