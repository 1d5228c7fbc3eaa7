"""Tools from toolexec.toml, the built-in supply-chain tools, and Lambda functions
through the engine's Lambda backend against the local emulator."""

from __future__ import annotations

import os
import time

import pytest

from toolexec import ToolExecutionRequest, ToolExecutionStatus, ToolExecutor


def test_every_tool_of_a_config_file_is_available_by_name(tmp_path, make_executor):
    config = tmp_path / "toolexec.toml"
    config.write_text(
        """
[executor]
max_concurrency = 4

[defaults]
backoff_initial_ms = 1
jitter = "none"

[tools.flaky]
backend = "sim"
latency_ms = 5
fail_first = 2
max_retries = 5
"""
    )
    executor = make_executor(config=config, backoff_initial=None, jitter=None)
    result = executor.execute_tool_sync(ToolExecutionRequest(tool_name="flaky", input_data={}))
    assert result.success
    assert result.attempts == 3
    assert executor.get_tool_stats("flaky")["retries"] == 2


def test_a_bad_config_file_names_the_key(tmp_path, make_executor):
    config = tmp_path / "toolexec.toml"
    config.write_text("[executor]\nmax_concurrency = 0\n")
    executor = make_executor(config=config)
    with pytest.raises(ValueError, match="max_concurrency"):
        executor.start()


def test_the_builtin_supply_chain_tools_are_available_by_name():
    executor = ToolExecutor(max_workers=4)
    names = {t["name"] for t in executor.tools()}
    assert {"calculate_reorder_points", "optimize_routes"} <= names
    result = executor.execute_tool_sync(
        ToolExecutionRequest(tool_name="calculate_reorder_points", input_data={"warehouse_code": "WH001"},
                             timeout_seconds=30, max_retries=3, metadata={"agent": "inventory"})
    )
    assert result.status is ToolExecutionStatus.SUCCESS, result.error
    assert result.result


ENDPOINT = os.environ.get("TOOLEXEC_LAMBDA_ENDPOINT")


@pytest.mark.skipif(ENDPOINT is None, reason="no Lambda emulator (set TOOLEXEC_LAMBDA_ENDPOINT)")
def test_a_function_name_request_invokes_the_lambda_function_on_the_emulator():
    executor = ToolExecutor(
        builtin_tools=False,
        lambda_functions=["lambda-fixture", "no-such-function"],
        lambda_endpoint_url=ENDPOINT,
        max_retries=0,
        default_timeout=600,
    )
    echo = ToolExecutionRequest(function_name="lambda-fixture", input_data={"sku": "A-1"})
    # The emulator builds the function on its first invocation: wait for it, bounded.
    started = time.monotonic()
    while True:
        result = executor.execute_tool_sync(echo)
        if result.success or result.error_kind != "backend" or time.monotonic() - started > 600:
            break
        time.sleep(0.2)
    assert result.success, result.error
    assert result.result == {"echo": {"sku": "A-1"}}
    assert result.tool_name == "lambda-fixture"

    failed = executor.execute_tool_sync(
        ToolExecutionRequest(function_name="lambda-fixture", input_data={"action": "fail", "message": "no stock"})
    )
    assert failed.status is ToolExecutionStatus.FAILED
    assert failed.error_type == "FixtureError"
    assert "no stock" in failed.error

    missing = executor.execute_tool_sync(ToolExecutionRequest(function_name="no-such-function", input_data={}))
    assert missing.error_kind == "not_found"

    slow = executor.execute_tool_sync(
        ToolExecutionRequest(function_name="lambda-fixture", input_data={"action": "sleep", "ms": 3000},
                             timeout_seconds=0.3)
    )
    assert slow.status is ToolExecutionStatus.TIMEOUT
    assert executor.get_tool_stats("lambda-fixture")["total_executions"] >= 3
