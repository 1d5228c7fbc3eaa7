//! Wall time and process CPU time of a measured region.
//!
//! CPU time is what the per-call overhead is computed from: it is the wall time
//! multiplied by the threads kept busy, and unlike wall time it barely moves when
//! other processes share the cores.

use std::time::Duration;

use tokio::time::Instant;

/// Wall and CPU time spent so far in measured regions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Spent {
    pub(crate) wall: Duration,
    pub(crate) cpu: Duration,
}

impl std::ops::AddAssign for Spent {
    fn add_assign(&mut self, other: Self) {
        self.wall += other.wall;
        self.cpu += other.cpu;
    }
}

/// A running measurement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    /// Starts measuring now.
    pub(crate) fn start() -> Self {
        Self {
            cpu: process_cpu(),
            wall: Instant::now(),
        }
    }

    /// Wall and CPU time since [`Stopwatch::start`].
    pub(crate) fn stop(self) -> Spent {
        let wall = self.wall.elapsed();
        Spent {
            wall,
            cpu: process_cpu().saturating_sub(self.cpu),
        }
    }
}

/// User plus system CPU time of every thread of this process so far, from
/// `getrusage(RUSAGE_SELF)`: to the microsecond on Linux, where `/proc/self/stat`
/// counts 10 ms ticks (2 µs per call on a 5,000-call workload).
fn process_cpu() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    use nix::sys::time::TimeValLike;
    let Ok(usage) = getrusage(UsageWho::RUSAGE_SELF) else {
        return Duration::ZERO;
    };
    let micros = usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
    Duration::from_micros(u64::try_from(micros).unwrap_or(0))
}
