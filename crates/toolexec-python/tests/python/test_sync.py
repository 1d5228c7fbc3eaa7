"""The blocking API: execute_tool_sync and execute_tools_sync with Python tools."""

from __future__ import annotations

import _thread
import signal
import threading
import time

import pytest

from toolexec import (
    InvalidInputError,
    ToolCancelled,
    ToolExecutionRequest,
    ToolExecutionStatus,
    TransientError,
)


def req(tool: str, **input_data: object) -> ToolExecutionRequest:
    return ToolExecutionRequest(tool_name=tool, input_data=dict(input_data))


def test_a_sync_tool_answers_with_the_original_result_dict(make_executor):
    executor = make_executor()

    @executor.tool
    def add(data):
        """Adds a and b."""
        return {"sum": data["a"] + data["b"]}

    result = executor.execute_tool_sync(req("add", a=1, b=2))
    assert result.success
    assert result.status is ToolExecutionStatus.SUCCESS
    assert result.status == "success"
    assert result.result == {"sum": 3}
    assert result.attempts == 1
    d = result.to_dict()
    assert set(d) == {"success", "result", "tool_name", "execution_time_ms", "attempts", "status"}
    assert d["status"] == "success" and d["tool_name"] == "add"
    assert executor.tools()[0]["description"] == "Adds a and b."


def test_results_come_back_in_request_order_whatever_finishes_first(make_executor):
    executor = make_executor(max_workers=5)

    @executor.tool
    def sleepy(data):
        time.sleep(data["s"])
        return data["i"]

    delays = [0.2, 0.15, 0.1, 0.05, 0.0]
    results = executor.execute_tools_sync([req("sleepy", i=i, s=s) for i, s in enumerate(delays)])
    assert [r.result for r in results] == [0, 1, 2, 3, 4]


def test_calls_run_in_parallel_up_to_max_workers(make_executor):
    executor = make_executor(max_workers=10)
    running = 0
    peak = 0
    lock = threading.Lock()

    @executor.tool
    def work(data):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.1)
        with lock:
            running -= 1
        return None

    started = time.monotonic()
    results = executor.execute_tools_sync([req("work") for _ in range(20)])
    elapsed = time.monotonic() - started
    assert all(r.success for r in results)
    assert peak == 10
    assert elapsed < 1.0, elapsed  # two waves of 0.1 s, not twenty


def test_an_exception_fails_the_call_with_its_type_and_message_without_retry(make_executor):
    executor = make_executor(max_retries=3)
    calls = 0

    @executor.tool
    def lookup(data):
        nonlocal calls
        calls += 1
        raise ValueError(f"no warehouse {data['code']}")

    result = executor.execute_tool_sync(req("lookup", code="WH9"))
    assert result.status is ToolExecutionStatus.FAILED
    assert not result.success
    assert result.error_type == "ValueError"
    assert "no warehouse WH9" in result.error
    assert result.attempts == 1 and calls == 1
    assert result.to_dict()["error"] == result.error


def test_transient_errors_are_retried_with_exponential_backoff(make_executor):
    executor = make_executor(max_retries=3, backoff_initial=0.05)
    attempts = 0

    @executor.tool
    def flaky(data):
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            raise TransientError("503 from upstream")
        return "ok"

    started = time.monotonic()
    result = executor.execute_tool_sync(req("flaky"))
    elapsed = time.monotonic() - started
    assert result.success and result.result == "ok"
    assert result.attempts == 3
    backoffs = [a["backoff_ms"] for a in result.attempt_log if a["backoff_ms"] is not None]
    assert backoffs == [50.0, 100.0]
    assert elapsed >= 0.15


def test_connection_errors_are_retried_until_max_retries(make_executor):
    executor = make_executor(max_retries=2)

    @executor.tool
    def down(data):
        raise ConnectionError("refused")

    result = executor.execute_tool_sync(req("down"))
    assert result.status is ToolExecutionStatus.FAILED
    assert result.attempts == 3
    assert "refused" in result.error


def test_invalid_input_error_names_the_field_and_is_not_retried(make_executor):
    executor = make_executor()

    @executor.tool
    def check(data):
        raise InvalidInputError("must be positive", field="quantity")

    result = executor.execute_tool_sync(req("check"))
    assert result.error_kind == "invalid_input"
    assert result.attempts == 1


def test_a_hung_sync_tool_times_out_and_its_thread_is_interrupted(make_executor):
    executor = make_executor(max_retries=0)
    interrupted = threading.Event()

    @executor.tool(timeout=0.2)
    def hang(data):
        try:
            while True:
                time.sleep(0.01)
        except ToolCancelled:
            interrupted.set()
            raise

    started = time.monotonic()
    result = executor.execute_tool_sync(req("hang"))
    elapsed = time.monotonic() - started
    assert result.status is ToolExecutionStatus.TIMEOUT
    assert result.error_kind == "timeout"
    assert 0.2 <= elapsed < 1.0, elapsed
    assert interrupted.wait(2.0), "the hung tool's thread was not interrupted"


def test_a_request_timeout_overrides_the_default(make_executor):
    executor = make_executor(default_timeout=30, max_retries=0)

    @executor.tool
    def slow(data):
        time.sleep(0.5)

    result = executor.execute_tool_sync(
        ToolExecutionRequest(tool_name="slow", input_data={}, timeout_seconds=0.05, max_retries=0)
    )
    assert result.status is ToolExecutionStatus.TIMEOUT


def test_the_batch_timeout_ends_unfinished_calls_as_timeout(make_executor):
    executor = make_executor(max_retries=0)

    @executor.tool
    def sleepy(data):
        time.sleep(data["s"])
        return data["s"]

    started = time.monotonic()
    results = executor.execute_tools_sync([req("sleepy", s=0.0), req("sleepy", s=5.0)], timeout=0.3)
    assert time.monotonic() - started < 2.0
    assert [r.status for r in results] == [ToolExecutionStatus.SUCCESS, ToolExecutionStatus.TIMEOUT]


def test_ctrl_c_cancels_a_blocking_batch(make_executor):
    executor = make_executor(max_retries=0)
    interrupted = threading.Event()

    @executor.tool
    def hang(data):
        try:
            while True:
                time.sleep(0.01)
        except ToolCancelled:
            interrupted.set()
            raise

    # A process started in the background by a shell without job control inherits
    # SIGINT ignored, and then Python never raises KeyboardInterrupt: this test wants
    # Ctrl-C's usual meaning whatever it inherited.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            executor.execute_tools_sync([req("hang"), req("hang")])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 2.0
    assert interrupted.wait(2.0)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        if executor.get_execution_stats()["status_counts"].get("cancelled") == 2:
            break
        time.sleep(0.02)
    assert executor.get_execution_stats()["status_counts"]["cancelled"] == 2


def test_statistics_count_every_call_overall_and_by_tool(make_executor):
    executor = make_executor(max_retries=0)

    @executor.tool
    def ok(data):
        return 1

    @executor.tool
    def bad(data):
        raise RuntimeError("nope")

    executor.execute_tools_sync([req("ok"), req("ok"), req("ok"), req("bad")])
    stats = executor.get_execution_stats()
    assert stats["total_executions"] == 4
    assert stats["success_rate"] == pytest.approx(0.75)
    assert stats["status_counts"] == {"success": 3, "failed": 1, "timeout": 0, "cancelled": 0,
                                      "rejected": 0, "interrupted": 0}
    assert stats["error_counts"] == {"tool_error": 1}
    assert (stats["hedges"], stats["retry_budget_stops"]) == (0, 0)
    for key in ("avg_execution_time_ms", "p50_execution_time_ms", "p95_execution_time_ms",
                "p99_execution_time_ms"):
        assert stats[key] >= 0.0
    assert stats["by_tool"]["ok"]["total_executions"] == 3
    assert executor.get_tool_stats("bad")["status_counts"]["failed"] == 1
    assert executor.get_tool_stats("missing") is None
    history = executor.get_history()
    assert len(history) == 4


def test_a_fallback_answers_for_a_call_that_cannot_succeed(make_executor):
    executor = make_executor(max_retries=0)

    @executor.tool(fallback={"note": "data unavailable"})
    def broken(data):
        raise RuntimeError("down")

    result = executor.execute_tool_sync(req("broken"))
    assert result.success and result.fallback
    assert result.result == {"note": "data unavailable"}


def test_an_unknown_tool_is_a_failed_result_not_an_exception(make_executor):
    executor = make_executor()
    result = executor.execute_tool_sync(req("nope"))
    assert result.status is ToolExecutionStatus.FAILED
    assert result.error_kind == "not_found"


def test_output_that_is_not_json_fails_the_call(make_executor):
    executor = make_executor()

    @executor.tool
    def weird(data):
        return object()

    result = executor.execute_tool_sync(req("weird"))
    assert result.status is ToolExecutionStatus.FAILED
    assert result.error_kind == "bad_output"


def test_metadata_comes_back_on_the_result(make_executor):
    executor = make_executor()
    executor.register("echo", lambda data: data)
    request = ToolExecutionRequest(tool_name="echo", input_data={"x": 1}, metadata={"agent": "inventory"})
    result = executor.execute_tool_sync(request)
    assert result.metadata == {"agent": "inventory"}
    assert result.result == {"x": 1}


def test_tools_cannot_be_registered_after_the_first_call(make_executor):
    executor = make_executor()
    executor.register("a", lambda data: 1)
    executor.execute_tool_sync(req("a"))
    with pytest.raises(RuntimeError, match="before the executor's first call"):
        executor.register("b", lambda data: 2)


def test_wrong_argument_types_raise_clear_errors(make_executor):
    executor = make_executor()
    with pytest.raises(TypeError, match="input_data must be a dict"):
        ToolExecutionRequest(tool_name="x", input_data=[1, 2])
    with pytest.raises(TypeError, match="tool_name or function_name"):
        ToolExecutionRequest(input_data={})
    with pytest.raises(ValueError, match="timeout_seconds"):
        ToolExecutionRequest(tool_name="x", timeout_seconds=-1)
    with pytest.raises(TypeError, match="callable"):
        executor.register("x", 42)
    with pytest.raises(TypeError, match="max_workers"):
        make_executor(max_workers="10")
    with pytest.raises(ValueError, match="jitter"):
        make_executor(jitter="sometimes")
    executor.register("ok", lambda data: 1)
    with pytest.raises(TypeError, match=r"requests\[0\] must be a ToolExecutionRequest, got dict"):
        executor.execute_tools_sync([{"tool_name": "ok"}])
    with pytest.raises(TypeError, match="not JSON-serializable"):
        executor.execute_tool_sync(ToolExecutionRequest(tool_name="ok", input_data={"x": object()}))
