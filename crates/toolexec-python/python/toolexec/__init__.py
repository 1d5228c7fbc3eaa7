"""toolexec: the tool-execution engine for AI agents, in-process, on a Rust core.

>>> from toolexec import ToolExecutor, ToolExecutionRequest
>>> executor = ToolExecutor(max_workers=10, builtin_tools=False)
>>> @executor.tool
... def add(data):
...     return {"sum": data["a"] + data["b"]}
>>> result = executor.execute_tool_sync(ToolExecutionRequest(tool_name="add", input_data={"a": 1, "b": 2}))
>>> result.to_dict()["result"]
{'sum': 3}

Every call runs on one Rust executor: in parallel under ``max_workers``, each attempt
bounded by its timeout, transient failures retried with exponential backoff and jitter,
a broken tool's circuit opened, and every call recorded in statistics and history.
"""

from __future__ import annotations

import inspect
import os

# Imported here, on the importing (normally the main) thread: a worker thread of the
# engine that imported `threading` first would become its `main_thread()`, and the
# interpreter's exit would wait for that worker to end (up to its 10 s keep-alive).
import threading  # noqa: F401
from typing import Any, Callable, Iterable, List, Optional, Sequence, TypeVar, Union, overload

from . import _native
from ._errors import (
    InvalidInputError,
    NotFoundError,
    ThrottledError,
    ToolCancelled,
    ToolError,
    TransientError,
)
from ._native import ToolExecutionRequest, ToolExecutionResult
from ._status import ToolExecutionStatus

__version__: str = _native.__version__

__all__ = [
    "ToolExecutor",
    "ToolExecutionRequest",
    "ToolExecutionResult",
    "ToolExecutionStatus",
    "ToolError",
    "TransientError",
    "ThrottledError",
    "InvalidInputError",
    "NotFoundError",
    "ToolCancelled",
    "__version__",
]

F = TypeVar("F", bound=Callable[..., Any])

_Path = Union[str, "os.PathLike[str]"]


def _is_async(fn: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)
    return call is not None and inspect.iscoroutinefunction(call)


class ToolExecutor:
    """Runs tool calls on the Rust engine: alone or in parallel, sync or async.

    ``max_workers`` attempts run at once across all calls; each attempt is bounded by
    ``default_timeout`` seconds and a failed call is retried up to ``max_retries`` times
    after 1, 2, 4 ... seconds (``backoff_initial``, ``backoff_multiplier``,
    ``backoff_max``, ``jitter``). ``config`` names a ``toolexec.toml`` whose settings
    and tools (every backend: sim, local, lambda, http, process, mcp) are loaded;
    arguments given here override the file. The built-in supply-chain tools are
    registered unless ``builtin_tools=False`` (``database`` names their SQLite file;
    by default ``$TOOLEXEC_DB`` or the user's data directory, seeded on first use).
    ``lambda_functions`` are Lambda functions callable by ``function_name`` (at
    ``lambda_endpoint_url`` when given, such as a local emulator).

    Register Python tools with :meth:`register` or :meth:`tool` before the first call:
    the engine's tool set is fixed when it starts.
    """

    def __init__(
        self,
        max_workers: Optional[int] = None,
        default_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        config: Optional[_Path] = None,
        *,
        default_deadline: Optional[float] = None,
        backoff_initial: Optional[float] = None,
        backoff_multiplier: Optional[float] = None,
        backoff_max: Optional[float] = None,
        jitter: Optional[str] = None,
        history_capacity: Optional[int] = None,
        builtin_tools: bool = True,
        database: Optional[_Path] = None,
        lambda_functions: Optional[Sequence[str]] = None,
        lambda_endpoint_url: Optional[str] = None,
        lambda_region: Optional[str] = None,
    ) -> None:
        for name, value in (("max_workers", max_workers), ("max_retries", max_retries),
                            ("history_capacity", history_capacity)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if isinstance(lambda_functions, str):
            raise TypeError("lambda_functions must be a list of names, not a str")
        self._core = _native.Executor(
            max_workers,
            default_timeout,
            max_retries,
            os.fspath(config) if config is not None else None,
            default_deadline=default_deadline,
            backoff_initial=backoff_initial,
            backoff_multiplier=backoff_multiplier,
            backoff_max=backoff_max,
            jitter=jitter,
            history_capacity=history_capacity,
            builtin_tools=builtin_tools,
            database=os.fspath(database) if database is not None else None,
            lambda_functions=list(lambda_functions) if lambda_functions is not None else None,
            lambda_endpoint_url=lambda_endpoint_url,
            lambda_region=lambda_region,
        )

    # Tools

    def register(
        self,
        name: str,
        fn: Callable[..., Any],
        *,
        description: str = "",
        input_schema: Optional[dict] = None,
        read_only: bool = False,
        idempotent: bool = True,
        destructive: bool = False,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        fallback: Any = None,
    ) -> None:
        """Registers ``fn`` as the tool ``name``.

        ``fn`` takes the input dict and returns a JSON-like value. A plain function runs
        on a worker thread; an ``async def`` function is awaited on the caller's event
        loop. Raising :class:`TransientError` (or ``ConnectionError``/``TimeoutError``)
        retries the call; any other exception fails it with the exception's type and
        message. ``timeout``, ``max_retries`` and ``deadline`` override the executor's
        defaults for this tool; ``fallback`` is the result of a call that cannot succeed.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {type(fn).__name__}")
        if input_schema is not None and not isinstance(input_schema, dict):
            raise TypeError(f"input_schema must be a dict, got {type(input_schema).__name__}")
        if description == "" and fn.__doc__:
            description = inspect.cleandoc(fn.__doc__)
        self._core.register(
            name,
            fn,
            _is_async(fn),
            description=description,
            input_schema=input_schema,
            read_only=read_only,
            idempotent=idempotent,
            destructive=destructive,
            timeout_seconds=timeout,
            max_retries=max_retries,
            deadline_seconds=deadline,
            fallback=fallback,
        )

    @overload
    def tool(self, fn: F) -> F: ...

    @overload
    def tool(self, *, name: Optional[str] = None, **options: Any) -> Callable[[F], F]: ...

    def tool(self, fn: Optional[F] = None, *, name: Optional[str] = None, **options: Any) -> Any:
        """Decorator form of :meth:`register`: ``@executor.tool`` or
        ``@executor.tool(name="...", timeout=5)``. The tool's name defaults to the
        function's, its description to the docstring."""

        def decorate(function: F) -> F:
            self.register(name or function.__name__, function, **options)
            return function

        if fn is not None:
            return decorate(fn)
        return decorate

    def start(self) -> None:
        """Starts the engine now (it starts on the first call otherwise): loads the
        configuration and the built-in tools. No tool can be registered afterwards."""
        self._core.start()

    @property
    def started(self) -> bool:
        """Whether the engine has started."""
        return self._core.started

    def tools(self) -> List[dict]:
        """Every registered tool: ``name``, ``description``, ``input_schema`` and hints."""
        return self._core.tools()

    # Execution

    def execute_tool_sync(self, request: ToolExecutionRequest) -> ToolExecutionResult:
        """Runs one call and blocks until its result (the GIL is released meanwhile).
        Ctrl-C cancels the call and raises ``KeyboardInterrupt``."""
        return self._core.execute_one(request)

    def execute_tools_sync(
        self,
        requests: Iterable[ToolExecutionRequest],
        timeout: Optional[float] = None,
        *,
        max_concurrency: Optional[int] = None,
        fail_fast: bool = False,
    ) -> List[ToolExecutionResult]:
        """Runs calls in parallel and blocks until all have results, in request order.
        ``timeout`` bounds the whole batch: calls still running then end ``TIMEOUT``.

        The first calls start as soon as they are converted (as many as may run at
        once); the rest of a large batch are converted while those run. A request that
        cannot be converted raises ``TypeError``/``ValueError`` naming it
        (``requests[i]: ...``) and ends the batch: the calls already started end
        ``CANCELLED`` before this returns."""
        return self._core.execute_many(requests, timeout, max_concurrency, fail_fast)

    async def execute_tool_async(self, request: ToolExecutionRequest) -> ToolExecutionResult:
        """Runs one call on the running event loop. Cancelling the awaiting task
        cancels the call."""
        return await self._core.execute_one_async(request)

    async def execute_tools_parallel(
        self,
        requests: Iterable[ToolExecutionRequest],
        timeout: Optional[float] = None,
        *,
        max_concurrency: Optional[int] = None,
        fail_fast: bool = False,
    ) -> List[ToolExecutionResult]:
        """Runs calls in parallel on the running event loop; results in request order.
        ``timeout`` bounds the whole batch; cancelling the awaiting task cancels every
        call. Large batches start before their last request is converted; a request
        that cannot be converted raises naming it (``requests[i]: ...``) and cancels
        the calls already started, as :meth:`execute_tools_sync` does."""
        return await self._core.execute_many_async(requests, timeout, max_concurrency, fail_fast)

    # Statistics

    def get_execution_stats(self) -> dict:
        """``total_executions``, ``success_rate``, ``avg/p50/p95/p99/max_execution_time_ms``,
        ``retries``, ``fallbacks``, ``status_counts``, ``hedges``, ``retry_budget_stops``,
        ``error_counts`` (failed calls by error kind) and ``by_tool``."""
        return self._core.stats()

    def get_tool_stats(self, tool_name: str) -> Optional[dict]:
        """One tool's statistics, or None when no tool of that name is registered."""
        return self._core.tool_stats(tool_name)

    def get_history(self, limit: int = 100) -> List[dict]:
        """The most recent finished calls, oldest first."""
        return self._core.history(limit)

    def __repr__(self) -> str:
        state = "started" if self._core.started else "not started"
        return f"<ToolExecutor {state}>"

