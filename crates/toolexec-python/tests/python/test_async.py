"""The asyncio API: awaitables on the caller's loop, async def tools, cancellation."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from toolexec import ToolExecutionRequest, ToolExecutionStatus, TransientError


def req(tool: str, **input_data: object) -> ToolExecutionRequest:
    return ToolExecutionRequest(tool_name=tool, input_data=dict(input_data))


@pytest.mark.asyncio
async def test_an_async_tool_is_awaited_on_the_callers_loop(make_executor):
    executor = make_executor()
    caller_loop = asyncio.get_running_loop()
    seen = []

    @executor.tool
    async def where(data):
        seen.append((asyncio.get_running_loop() is caller_loop, threading.current_thread() is threading.main_thread()))
        await asyncio.sleep(0.01)
        return {"echo": data}

    result = await executor.execute_tool_async(req("where", x=1))
    assert result.status is ToolExecutionStatus.SUCCESS
    assert result.result == {"echo": {"x": 1}}
    assert seen == [(True, True)]


@pytest.mark.asyncio
async def test_execute_tools_parallel_runs_async_tools_concurrently_in_order(make_executor):
    executor = make_executor(max_workers=100)

    @executor.tool
    async def sleepy(data):
        await asyncio.sleep(data["s"])
        return data["i"]

    started = time.monotonic()
    results = await executor.execute_tools_parallel(
        [req("sleepy", i=i, s=0.2 - i * 0.002) for i in range(100)], timeout=10
    )
    elapsed = time.monotonic() - started
    assert [r.result for r in results] == list(range(100))
    assert elapsed < 1.0, elapsed


@pytest.mark.asyncio
async def test_sync_tools_run_off_the_loop_from_the_async_api(make_executor):
    executor = make_executor(max_workers=4)

    @executor.tool
    def blocking(data):
        time.sleep(0.1)
        return threading.current_thread() is threading.main_thread()

    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    results = await executor.execute_tools_parallel([req("blocking") for _ in range(4)])
    task.cancel()
    assert [r.result for r in results] == [False] * 4
    assert ticks >= 3  # the loop kept running while the tools blocked


@pytest.mark.asyncio
async def test_an_async_tool_exception_fails_the_call_with_its_type(make_executor):
    executor = make_executor(max_retries=2)

    class QuotaExceeded(Exception):
        pass

    @executor.tool
    async def quota(data):
        raise QuotaExceeded("daily quota used up")

    result = await executor.execute_tool_async(req("quota"))
    assert result.status is ToolExecutionStatus.FAILED
    assert result.error_type.endswith("QuotaExceeded")
    assert "daily quota used up" in result.error
    assert result.attempts == 1


@pytest.mark.asyncio
async def test_async_transient_errors_are_retried(make_executor):
    executor = make_executor(max_retries=3)
    attempts = 0

    @executor.tool
    async def flaky(data):
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise TransientError("try again")
        return attempts

    result = await executor.execute_tool_async(req("flaky"))
    assert result.success and result.result == 3 and result.attempts == 3


@pytest.mark.asyncio
async def test_a_hung_async_tool_times_out_and_its_task_is_cancelled(make_executor):
    executor = make_executor(max_retries=0)
    cancelled = asyncio.Event()

    @executor.tool(timeout=0.2)
    async def hang(data):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    started = time.monotonic()
    result = await executor.execute_tool_async(req("hang"))
    assert result.status is ToolExecutionStatus.TIMEOUT
    assert time.monotonic() - started < 1.0
    await asyncio.wait_for(cancelled.wait(), 2.0)


@pytest.mark.asyncio
async def test_cancelling_the_awaiting_task_cancels_every_call(make_executor):
    executor = make_executor(max_retries=0)
    cancelled = 0

    @executor.tool
    async def hang(data):
        nonlocal cancelled
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled += 1
            raise

    task = asyncio.create_task(executor.execute_tools_parallel([req("hang") for _ in range(3)]))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):
        if cancelled == 3 and executor.get_execution_stats()["status_counts"].get("cancelled") == 3:
            break
        await asyncio.sleep(0.01)
    assert cancelled == 3
    assert executor.get_execution_stats()["status_counts"]["cancelled"] == 3


@pytest.mark.asyncio
async def test_asyncio_wait_for_on_one_call_cancels_it(make_executor):
    executor = make_executor(max_retries=0)
    cancelled = asyncio.Event()

    @executor.tool
    async def hang(data):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(executor.execute_tool_async(req("hang")), 0.1)
    await asyncio.wait_for(cancelled.wait(), 2.0)


def test_an_async_tool_also_runs_from_the_blocking_api(make_executor):
    executor = make_executor()

    @executor.tool
    async def later(data):
        await asyncio.sleep(0.01)
        return "done"

    assert executor.execute_tool_sync(req("later")).result == "done"
