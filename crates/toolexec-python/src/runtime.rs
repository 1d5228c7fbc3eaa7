//! The tokio runtime every executor of the process shares, and the interruptible wait
//! of the blocking API.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often a blocking wait looks for a signal (Ctrl-C) to deliver.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// The process's runtime: the one pyo3-async-runtimes resolves awaitables on.
pub(crate) fn runtime() -> &'static Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// Runs `future` to its end with the GIL released, checking for signals every
/// [`SIGNAL_CHECK`]. When a signal handler raises (Ctrl-C's `KeyboardInterrupt`),
/// `cancel` is cancelled, so the calls end `cancelled`, and the exception propagates.
pub(crate) fn wait<F>(py: Python<'_>, cancel: &CancellationToken, future: F) -> PyResult<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    wait_for(py, cancel, &mut runtime().spawn(future))
}

/// [`wait`] for a task already running on the runtime.
pub(crate) fn wait_for<T: Send + 'static>(
    py: Python<'_>,
    cancel: &CancellationToken,
    handle: &mut JoinHandle<T>,
) -> PyResult<T> {
    loop {
        let finished = py.detach(|| {
            runtime().block_on(async { tokio::time::timeout(SIGNAL_CHECK, &mut *handle).await })
        });
        match finished {
            Ok(Ok(output)) => return Ok(output),
            Ok(Err(join)) => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "the executor's task failed: {join}"
                )))
            }
            Err(_elapsed) => {
                if let Err(interrupt) = py.check_signals() {
                    cancel.cancel();
                    // The calls end promptly once cancelled; wait so none is left running.
                    let _ = py.detach(|| {
                        runtime().block_on(async {
                            tokio::time::timeout(Duration::from_secs(5), &mut *handle).await
                        })
                    });
                    return Err(interrupt);
                }
            }
        }
    }
}
