"""The fast paths: direct JSON conversion, batched outcomes of async def tools,
long-lived worker threads for sync tools."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from toolexec import ToolCancelled, ToolExecutionRequest, ToolExecutionStatus


def req(tool: str, data: dict) -> ToolExecutionRequest:
    return ToolExecutionRequest(tool_name=tool, input_data=data)


def test_json_values_cross_both_ways_with_their_types(make_executor):
    executor = make_executor()
    seen = []

    @executor.tool
    def echo(data):
        seen.append(data)
        return [data, (1, 2), {"tuple": ("a",)}, float("nan")]

    value = {
        "none": None,
        "bools": [True, False],
        "ints": [0, -1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1],
        "floats": [0.5, -1e300, 3.0],
        "text": "héllo ✓ \U0001f600",
        "nested": {"a": [{"b": [[], {}]}]},
        "tuple": (1, "x"),
    }
    result = executor.execute_tool_sync(req("echo", value))
    assert result.status is ToolExecutionStatus.SUCCESS, result.error
    expected = dict(value, tuple=[1, "x"])
    assert seen == [expected]
    assert result.result == [expected, [1, 2], {"tuple": ["a"]}, None]
    got = result.result[0]
    assert [type(b) for b in got["bools"]] == [bool, bool]
    assert all(type(i) is int for i in got["ints"])
    assert [type(f) for f in got["floats"]] == [float, float, float]
    assert result.to_dict()["result"] == result.result


def test_non_json_input_and_output_are_refused_with_the_reason(make_executor):
    executor = make_executor()

    @executor.tool
    def odd(data):
        return {1: "int key"}

    with pytest.raises(TypeError, match="not JSON-serializable"):
        executor.execute_tool_sync(req("odd", {"k": {1: "int key"}}))
    result = executor.execute_tool_sync(req("odd", {}))
    assert result.status is ToolExecutionStatus.FAILED
    assert result.error_kind == "bad_output", result.error_kind


def test_deeply_nested_values_convert(make_executor):
    executor = make_executor()

    @executor.tool
    def depth(data):
        n, node = 0, data["v"]
        while node:
            n, node = n + 1, node[0]
        return {"depth": n, "back": data["v"]}

    nested: list = []
    for _ in range(200):
        nested = [nested]
    result = executor.execute_tool_sync(req("depth", {"v": nested}))
    assert result.result["depth"] == 200
    assert result.result["back"] == nested


@pytest.mark.asyncio
async def test_many_async_tools_finishing_together_all_resolve_in_order(make_executor):
    executor = make_executor(max_workers=2000, max_retries=0)
    release = asyncio.Event()
    started = 0

    @executor.tool
    async def together(data):
        nonlocal started
        started += 1
        if started == 2000:
            release.set()
        await release.wait()
        if data["i"] % 7 == 3:
            raise ValueError(f"bad {data['i']}")
        return {"i": data["i"], "square": data["i"] ** 2}

    results = await executor.execute_tools_parallel(
        [req("together", {"i": i}) for i in range(2000)], timeout=30
    )
    assert started == 2000
    for i, result in enumerate(results):
        if i % 7 == 3:
            assert result.status is ToolExecutionStatus.FAILED
            assert result.error == f"ValueError: bad {i}"
            assert result.error_type == "ValueError"
        else:
            assert result.status is ToolExecutionStatus.SUCCESS, result.error
            assert result.result == {"i": i, "square": i * i}


@pytest.mark.asyncio
async def test_async_tool_waves_resolve_while_other_calls_start(make_executor):
    # 1,000 calls through 50 slots: outcomes come back in batches while new calls
    # start, and each call's retry sees its own attempt count.
    executor = make_executor(max_workers=50, max_retries=2)
    attempts: dict = {}

    @executor.tool
    async def flaky(data):
        n = attempts[data["i"]] = attempts.get(data["i"], 0) + 1
        await asyncio.sleep(0.001)
        if n == 1 and data["i"] % 2:
            raise ConnectionError("once")
        return data["i"]

    results = await executor.execute_tools_parallel(
        [req("flaky", {"i": i}) for i in range(1000)], timeout=60
    )
    assert [r.result for r in results] == list(range(1000))
    assert [r.attempts for r in results] == [1 + i % 2 for i in range(1000)]


def test_sync_tools_reuse_their_worker_threads(make_executor):
    executor = make_executor()
    threads = []

    @executor.tool
    def where(data):
        threads.append(threading.get_ident())
        return data["i"]

    for i in range(50):
        assert executor.execute_tool_sync(req("where", {"i": i})).result == i
    assert threading.get_ident() not in threads
    # Calls one after another run on an idle worker, not on a new thread each.
    assert len(set(threads)) <= 4, len(set(threads))


def test_an_interrupted_worker_runs_later_tools_untouched(make_executor):
    executor = make_executor(max_retries=0)
    interrupted = threading.Event()

    @executor.tool(timeout=0.1)
    def hang(data):
        try:
            while True:
                time.sleep(0.005)
        except ToolCancelled:
            interrupted.set()
            raise

    @executor.tool
    def busy(data):
        total = 0
        for i in range(2000):
            total += i
        return total

    assert executor.execute_tool_sync(req("hang", {})).status is ToolExecutionStatus.TIMEOUT
    assert interrupted.wait(2.0)
    results = executor.execute_tools_sync([req("busy", {}) for _ in range(300)], timeout=30)
    assert [r.status for r in results] == [ToolExecutionStatus.SUCCESS] * 300
    assert {r.result for r in results} == {sum(range(2000))}

