"""The Python half of running Python tools under the Rust engine (internal).

A synchronous tool runs on one of the engine's worker threads. When its call times out
or is cancelled, the engine interrupts that thread with ``ToolCancelled``, raised at the
tool's next Python bytecode (a tool blocked inside one long C call, such as a single
``time.sleep``, is interrupted when that call returns). The interrupt is delivered only
while the tool runs, and any undelivered one is withdrawn when it returns, so it never
reaches other code on that thread.

An ``async def`` tool is started as a task on the caller's event loop by the native
module (``loop_queue.rs``); cancelling the call cancels the task.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
from typing import Any, Callable

from ._errors import ToolCancelled

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.c_void_p)
_set_async_exc.restype = ctypes.c_int


class SyncCall:
    """One run of a synchronous tool on a worker thread, interruptible once."""

    __slots__ = ("_lock", "_thread", "_finished", "_cancelled")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: "int | None" = None
        self._finished = False
        self._cancelled = False

    def run(self, fn: Callable[[Any], Any], arg: Any, is_async: bool) -> Any:
        with self._lock:
            if self._cancelled:
                raise ToolCancelled("the call ended before the tool started")
            self._thread = threading.get_ident()
        try:
            if is_async:
                # No event loop is waiting for this call (the blocking API): run the
                # coroutine on a loop of its own, on this worker thread.
                return asyncio.run(fn(arg))
            return fn(arg)
        finally:
            with self._lock:
                self._finished = True
            _set_async_exc(self._thread, None)

    def interrupt(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._thread is not None and not self._finished:
                _set_async_exc(self._thread, id(ToolCancelled))
