//! [`ProcessGroup`]: kills a child's whole process group, at the latest when dropped.

use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

/// The process group of a child started with `process_group(0)`, whose id is the
/// child's pid. Dropping it sends `SIGKILL` to every process still in the group, so a
/// timed-out or cancelled attempt (whose future the engine drops) leaves no orphan.
#[derive(Debug)]
pub(crate) struct ProcessGroup {
    id: Option<Pid>,
    killed: AtomicBool,
}

impl ProcessGroup {
    /// The group led by the child `pid`.
    pub(crate) fn new(pid: Option<u32>) -> Self {
        Self {
            id: pid.and_then(|p| i32::try_from(p).ok()).map(Pid::from_raw),
            killed: AtomicBool::new(false),
        }
    }

    /// Kills every process left in the group, once; a group already gone is fine.
    pub(crate) fn kill(&self) {
        if let Some(id) = self.id {
            if !self.killed.swap(true, Ordering::AcqRel) {
                let _ = killpg(id, Signal::SIGKILL);
            }
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}
