//! The threads synchronous Python tools run on.
//!
//! A worker attaches to the interpreter once, when it starts, and keeps its Python
//! thread state between jobs: it waits for the next job with the GIL released and
//! takes the GIL back to run it. (A thread of tokio's blocking pool attached and
//! detached per job, creating and destroying a thread state each time, which was most
//! of a sync tool's per-call cost.) The pool grows on demand to [`MAX_WORKERS`] threads
//! and a worker idle for [`KEEP_ALIVE`] exits, so no thread outlives a burst by long.

use std::collections::VecDeque;
use std::sync::OnceLock;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pyo3::prelude::*;

use crate::exit_gate;

/// Most threads running synchronous tools at once, across the process.
pub(crate) const MAX_WORKERS: usize = 1024;

/// How long an idle worker waits for a job before it exits.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// A job: runs on a worker, with the GIL held.
pub(crate) type Job = Box<dyn FnOnce(Python<'_>) + Send>;

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    /// Workers waiting for a job.
    idle: usize,
    /// Workers alive.
    threads: usize,
}

/// The pool of worker threads.
pub(crate) struct Workers {
    state: Mutex<State>,
    ready: Condvar,
}

static WORKERS: OnceLock<Workers> = OnceLock::new();

/// The process's pool.
pub(crate) fn workers() -> &'static Workers {
    WORKERS.get_or_init(|| Workers {
        state: Mutex::new(State::default()),
        ready: Condvar::new(),
    })
}

impl Workers {
    /// Queues `job`; a new worker starts when every worker is busy (below the cap).
    pub(crate) fn submit(&'static self, job: Job) {
        let spawn = {
            let mut state = self.state.lock();
            state.jobs.push_back(job);
            let spawn = state.jobs.len() > state.idle && state.threads < MAX_WORKERS;
            if spawn {
                state.threads += 1;
            }
            spawn
        };
        self.ready.notify_one();
        if spawn {
            let started = std::thread::Builder::new()
                .name("toolexec-py".to_owned())
                .spawn(move || self.work());
            if started.is_err() {
                // No thread (resources exhausted): the queued job waits for a worker.
                self.state.lock().threads -= 1;
            }
        }
    }

    /// The next job, or None once idle for [`KEEP_ALIVE`] or once the interpreter is
    /// exiting (the worker then exits).
    fn next(&self) -> Option<Job> {
        let mut state = self.state.lock();
        loop {
            if exit_gate::closing() {
                state.threads -= 1;
                return None;
            }
            if let Some(job) = state.jobs.pop_front() {
                return Some(job);
            }
            state.idle += 1;
            let waited = self.ready.wait_for(&mut state, KEEP_ALIVE);
            state.idle -= 1;
            if waited.timed_out() && state.jobs.is_empty() {
                state.threads -= 1;
                return None;
            }
        }
    }

    /// Wakes every idle worker, so that each sees the interpreter exiting and ends.
    pub(crate) fn wake_all(&self) {
        let _state = self.state.lock();
        self.ready.notify_all();
    }

    /// Runs jobs until idle for [`KEEP_ALIVE`] or until the interpreter exits. The
    /// worker counts as inside Python (see [`exit_gate`]) except while it waits for a
    /// job, so the interpreter does not finalize while it runs a job or takes the GIL
    /// back to end.
    fn work(&'static self) {
        let Some(entered) = exit_gate::enter() else {
            self.state.lock().threads -= 1;
            return;
        };
        let mut inside = Some(entered);
        Python::attach(|py| loop {
            let job = py.detach(|| {
                drop(inside.take());
                let job = self.next();
                let (entered, exiting) = exit_gate::enter_to_leave();
                inside = Some(entered);
                match job {
                    Some(_) if exiting => {
                        // Not run: its attempt hears that the worker stopped.
                        self.state.lock().threads -= 1;
                        None
                    }
                    job => job,
                }
            });
            let Some(job) = job else { break };
            // A job reports through its own channel; a panic must not end the worker
            // with the pool still counting it.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(py)));
        });
        // Left only now that the thread's Python state is released.
        drop(inside);
    }
}
