"""Batches larger than their first go: the first calls start while the rest of the
requests are converted, and the caller sees one batch either way."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from toolexec import ToolExecutionRequest, ToolExecutionStatus

# More than the first go (max_workers, at least 256) and more than one send after it.
N = 3_000


def req(tool: str, i: int, **extra: object) -> ToolExecutionRequest:
    return ToolExecutionRequest(tool_name=tool, input_data={"i": i, **extra}, metadata={"i": i})


def test_a_large_sync_batch_answers_every_request_in_order_with_its_metadata(make_executor):
    executor = make_executor(max_workers=100)

    @executor.tool
    def echo(data):
        return data["i"]

    results = executor.execute_tools_sync([req("echo", i) for i in range(N)])
    assert [r.result for r in results] == list(range(N))
    assert [r.metadata["i"] for r in results] == list(range(N))
    assert executor.get_execution_stats()["total_executions"] == N


@pytest.mark.asyncio
async def test_a_large_async_batch_of_async_def_tools_runs_every_call_on_the_callers_loop(make_executor):
    executor = make_executor(max_workers=100)
    caller_loop = asyncio.get_running_loop()
    on_caller_loop = []

    @executor.tool
    async def hop(data):
        on_caller_loop.append(asyncio.get_running_loop() is caller_loop)
        await asyncio.sleep(0)
        return data["i"]

    results = await executor.execute_tools_parallel([req("hop", i) for i in range(N)])
    assert [r.result for r in results] == list(range(N))
    # The requests converted after the batch started found the loop as the first did.
    assert on_caller_loop == [True] * N


def test_a_generator_of_requests_is_one_batch(make_executor):
    executor = make_executor(max_workers=100)

    @executor.tool
    def echo(data):
        return data["i"]

    results = executor.execute_tools_sync(req("echo", i) for i in range(N))
    assert [r.result for r in results] == list(range(N))


def _bad_late_request(executor, started: threading.Event):
    @executor.tool
    def wait(data):
        started.set()
        time.sleep(0.02)
        return data["i"]

    requests = [req("wait", i) for i in range(N)]
    requests[N - 10] = ToolExecutionRequest(tool_name="wait", input_data={"k": {1: "int key"}})
    return requests


def test_a_bad_request_late_in_a_large_sync_batch_raises_naming_it_and_ends_the_batch(make_executor):
    executor = make_executor(max_workers=100)
    started = threading.Event()
    requests = _bad_late_request(executor, started)
    with pytest.raises(TypeError, match=rf"requests\[{N - 10}\]: input_data of wait: not JSON-serializable"):
        executor.execute_tools_sync(requests)
    # Every call the batch had started has ended and is counted: none is left running.
    stats = executor.get_execution_stats()
    time.sleep(0.1)
    assert executor.get_execution_stats()["total_executions"] == stats["total_executions"]
    assert 0 < stats["total_executions"] < N
    assert stats["status_counts"].get("cancelled", 0) > 0


@pytest.mark.asyncio
async def test_a_bad_request_late_in_a_large_async_batch_raises_and_cancels_the_batch(make_executor):
    executor = make_executor(max_workers=100)
    started = threading.Event()
    requests = _bad_late_request(executor, started)
    with pytest.raises(TypeError, match=rf"requests\[{N - 10}\]: input_data of wait"):
        await executor.execute_tools_parallel(requests)
    # The batch is cancelled (its awaitable was): its calls end cancelled, soon.
    for _ in range(100):
        await asyncio.sleep(0.02)
        stats = executor.get_execution_stats()
        if stats["status_counts"].get("cancelled", 0) > 0:
            break
    assert stats["status_counts"].get("cancelled", 0) > 0
    assert stats["total_executions"] < N
