//! The interpreter's exit, and the Rust threads that enter Python.
//!
//! The engine's threads (tokio's workers and blocking pool, the sync tools' workers)
//! take the GIL to hand results to asyncio loops, start `async def` tools and run
//! sync ones. A thread that takes the GIL while the interpreter finalizes crashes the
//! process (`PyGILState_Release: thread state must be current`, or a segfault in a
//! deallocator): the last result of a script is handed over inside
//! `loop.call_soon_threadsafe`, which releases the GIL to write to the loop's
//! self-pipe, so the script can end and the interpreter start finalizing before that
//! thread is done with Python.
//!
//! Every such entry therefore passes this gate. An `atexit` hook (registered when
//! the module loads; `atexit` runs before the interpreter starts finalizing) closes
//! it and waits, with the GIL released, until no thread is inside; once closed, no
//! thread enters Python again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use pyo3::prelude::*;

/// Set once the interpreter has begun to exit.
static CLOSING: AtomicBool = AtomicBool::new(false);

/// Threads inside Python, or about to take the GIL, through this gate.
static INSIDE: Mutex<usize> = Mutex::new(0);
static LEFT: Condvar = Condvar::new();

/// Counts its thread as inside Python until dropped.
pub(crate) struct Inside(());

impl Inside {
    fn count() -> Self {
        *INSIDE.lock() += 1;
        Inside(())
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        let mut inside = INSIDE.lock();
        *inside -= 1;
        if *inside == 0 {
            LEFT.notify_all();
        }
    }
}

/// Whether the interpreter has begun to exit.
pub(crate) fn closing() -> bool {
    CLOSING.load(Ordering::SeqCst)
}

/// Counts the calling thread inside before it takes the GIL; None once the
/// interpreter is exiting (the thread must then leave Python alone).
pub(crate) fn enter() -> Option<Inside> {
    // Counted before the flag is read: the exit hook sets the flag before it reads
    // the count, so either it waits for this thread or this thread sees the flag.
    let inside = Inside::count();
    (!closing()).then_some(inside)
}

/// Counts the calling thread inside even when the interpreter is exiting: for a
/// thread that must take the GIL back to leave Python (a worker thread whose
/// attached region is ending). The flag says whether it is exiting.
pub(crate) fn enter_to_leave() -> (Inside, bool) {
    let inside = Inside::count();
    (inside, closing())
}

/// Runs `f` with the GIL unless the interpreter is exiting.
pub(crate) fn attach<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    let _inside = enter()?;
    Some(Python::attach(f))
}

/// Closes the gate: from now on no thread enters Python through it.
pub(crate) fn close() {
    CLOSING.store(true, Ordering::SeqCst);
}

/// Waits up to `bound` for the threads inside to leave.
pub(crate) fn wait_until_empty(bound: Duration) {
    let until = Instant::now() + bound;
    let mut inside = INSIDE.lock();
    while *inside > 0 && !LEFT.wait_until(&mut inside, until).timed_out() {}
}
