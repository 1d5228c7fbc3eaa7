//! One run of a synchronous Python tool on a worker thread, interruptible once.
//!
//! When the call times out or is cancelled, the engine interrupts the worker with
//! `toolexec.ToolCancelled`, raised at the tool's next Python bytecode (a tool blocked
//! inside one long C call, such as a single `time.sleep`, is interrupted when that call
//! returns). The interrupt is delivered only while the tool runs, and an undelivered
//! one is withdrawn when it returns, so it never reaches the worker's next job.

use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// The Python functions a run needs.
struct Handles {
    /// `toolexec.ToolCancelled`.
    cancelled: Py<PyAny>,
    /// `asyncio.run`.
    asyncio_run: Py<PyAny>,
    /// `threading.get_ident`.
    get_ident: Py<PyAny>,
    /// `toolexec._bridge.interrupt(thread)`.
    interrupt: Py<PyAny>,
    /// `toolexec._bridge.withdraw(thread)`.
    withdraw: Py<PyAny>,
}

static HANDLES: PyOnceLock<Handles> = PyOnceLock::new();

fn handles(py: Python<'_>) -> PyResult<&Handles> {
    HANDLES.get_or_try_init(py, || {
        let bridge = py.import("toolexec._bridge")?;
        Ok(Handles {
            cancelled: py
                .import("toolexec._errors")?
                .getattr("ToolCancelled")?
                .unbind(),
            asyncio_run: py.import("asyncio")?.getattr("run")?.unbind(),
            get_ident: py.import("threading")?.getattr("get_ident")?.unbind(),
            interrupt: bridge.getattr("interrupt")?.unbind(),
            withdraw: bridge.getattr("withdraw")?.unbind(),
        })
    })
}

#[derive(Default)]
struct State {
    /// The call ended (or was interrupted) before or while the tool ran.
    ended: bool,
    /// The worker running the tool, while it runs.
    thread: Option<u64>,
    /// An interrupt was sent to `thread` and may still be pending there.
    sent: bool,
}

/// Shared by the worker running the tool and the attempt waiting for it.
#[derive(Default)]
pub(crate) struct SyncCall {
    state: Mutex<State>,
}

impl SyncCall {
    /// Runs `function(arg)` on this thread (with the GIL), unless already interrupted.
    /// `is_async`: the function returns a coroutine, run to its end by `asyncio.run`
    /// (no event loop waits for this call: the blocking API).
    pub(crate) fn run<'py>(
        &self,
        function: &Bound<'py, PyAny>,
        arg: Bound<'py, PyAny>,
        is_async: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = function.py();
        let handles = handles(py)?;
        let thread: u64 = handles.get_ident.bind(py).call0()?.extract()?;
        {
            let mut state = self.state.lock();
            if state.ended {
                return Err(PyErr::from_value(
                    handles
                        .cancelled
                        .bind(py)
                        .call1(("the call ended before the tool started",))?,
                ));
            }
            state.thread = Some(thread);
        }
        let produced = if is_async {
            function
                .call1((arg,))
                .and_then(|coroutine| handles.asyncio_run.bind(py).call1((coroutine,)))
        } else {
            function.call1((arg,))
        };
        let sent = {
            let mut state = self.state.lock();
            state.thread = None;
            state.sent
        };
        if sent {
            // An interrupt raised after the tool returned must not reach the next job.
            let _ = handles.withdraw.bind(py).call1((thread,));
        }
        produced
    }

    /// Interrupts the tool if it runs now, and keeps it from starting otherwise.
    pub(crate) fn interrupt(&self, py: Python<'_>) {
        let Ok(handles) = handles(py) else { return };
        let target = {
            let mut state = self.state.lock();
            state.ended = true;
            match state.thread {
                Some(thread) if !state.sent => {
                    state.sent = true;
                    Some(thread)
                }
                _ => None,
            }
        };
        if let Some(thread) = target {
            let _ = handles.interrupt.bind(py).call1((thread,));
        }
    }
}
