//! CPU time and run-queue wait of one thread of this process, by name, from Linux's
//! `/proc/self/task/*/schedstat`: how the journal's writer thread is measured apart
//! from the engine's threads.

use std::time::Duration;

/// Time a thread spent on a CPU, and runnable but waiting for one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ThreadTime {
    pub(crate) on_cpu: Duration,
    pub(crate) waiting: Duration,
}

impl ThreadTime {
    /// The time since `earlier`.
    pub(crate) fn since(self, earlier: Self) -> Self {
        Self {
            on_cpu: self.on_cpu.saturating_sub(earlier.on_cpu),
            waiting: self.waiting.saturating_sub(earlier.waiting),
        }
    }
}

/// The times of the first thread of this process whose name starts with `name`
/// (Linux shortens thread names to 15 bytes); `None` when there is none or the
/// system does not say.
pub(crate) fn thread_time(name: &str) -> Option<ThreadTime> {
    let short = &name[..name.len().min(15)];
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim_end() == short {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            return parse_schedstat(&stat);
        }
    }
    None
}

/// `schedstat`: nanoseconds on a CPU, nanoseconds waiting on a run queue, time slices.
fn parse_schedstat(text: &str) -> Option<ThreadTime> {
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    let on_cpu = fields.next()?.ok()?;
    let waiting = fields.next()?.ok()?;
    Some(ThreadTime {
        on_cpu: Duration::from_nanos(on_cpu),
        waiting: Duration::from_nanos(waiting),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedstat_gives_cpu_time_then_run_queue_wait() {
        let time = parse_schedstat("218574932 11277907784 486\n").expect("parsed");
        assert_eq!(time.on_cpu, Duration::from_nanos(218_574_932));
        assert_eq!(time.waiting, Duration::from_nanos(11_277_907_784));
        assert_eq!(parse_schedstat("garbage"), None);
    }

    #[test]
    fn a_named_thread_is_found_and_measured() {
        let (ready, wait) = std::sync::mpsc::channel::<()>();
        let (done, finish) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("bench-probe-thread-long-name".to_owned())
            .spawn(move || {
                let _ = ready.send(());
                let _ = finish.recv();
            })
            .expect("spawned");
        wait.recv().expect("started");
        if std::path::Path::new("/proc/self/task").exists() {
            // Polled: once, on a loaded machine, the name was not yet visible.
            let found = (0..5000).any(|_| {
                let found = thread_time("bench-probe-thread-long-name").is_some();
                if !found {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                found
            });
            assert!(found, "the thread is found by its shortened name");
        }
        assert_eq!(thread_time("no-such-thread-here"), None);
        drop(done);
        thread.join().expect("joined");
    }
}
