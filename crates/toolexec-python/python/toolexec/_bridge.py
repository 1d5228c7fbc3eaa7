"""The Python half of running Python tools under the Rust engine (internal).

A synchronous tool runs on one of the native module's worker threads
(``sync_call.rs``). When its call times out or is cancelled, the engine interrupts
that thread with ``ToolCancelled``, raised at the tool's next Python bytecode (a tool
blocked inside one long C call, such as a single ``time.sleep``, is interrupted when
that call returns). The interrupt is delivered only while the tool runs, and an
undelivered one is withdrawn when it returns, so it never reaches the worker's next
job.

An ``async def`` tool is started as a task on the caller's event loop by the native
module (``loop_queue.rs``); cancelling the call cancels the task.
"""

from __future__ import annotations

import ctypes

from ._errors import ToolCancelled

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.c_void_p)
_set_async_exc.restype = ctypes.c_int


def interrupt(thread: int) -> None:
    """Raises ``ToolCancelled`` in the thread ``thread`` at its next bytecode."""
    _set_async_exc(thread, id(ToolCancelled))


def withdraw(thread: int) -> None:
    """Withdraws an interrupt not yet raised in the thread ``thread``."""
    _set_async_exc(thread, None)
