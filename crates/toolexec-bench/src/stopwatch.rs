//! Wall time and process CPU time of a measured region.
//!
//! CPU time is what the per-call overhead is computed from: it is the wall time
//! multiplied by the threads kept busy, and unlike wall time it barely moves when
//! other processes share the cores.

use std::time::Duration;

use tokio::time::Instant;

/// Clock ticks per second of `/proc/self/stat` (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
const TICKS_PER_SECOND: u64 = 100;

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

/// User plus system CPU time of every thread of this process so far.
fn process_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here.
    let total = ticks(11) + ticks(12);
    Duration::from_millis(total * 1000 / TICKS_PER_SECOND)
}
