"""The interpreter's exit: a script that ends right after its last await, or with a
sync tool still running, exits cleanly (no crash while the engine's threads hand
results back)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

# Ends the moment its last batch's results arrive: the engine's thread that handed
# them over may still be inside `loop.call_soon_threadsafe` as the interpreter
# finalizes. Before the exit gate, about one run in ten crashed here
# ("Fatal Python error: PyGILState_Release" or a segfault).
SCRIPT_AWAIT_THEN_EXIT = textwrap.dedent(
    """
    import asyncio, os, sys, tempfile
    from toolexec import ToolExecutor, ToolExecutionRequest

    config = os.path.join(tempfile.mkdtemp(), "toolexec.toml")
    with open(config, "w") as f:
        f.write('[tools.sleep]\\nbackend = "sim"\\nlatency_ms = 10\\n')
    executor = ToolExecutor(config=config, builtin_tools=False)
    requests = [ToolExecutionRequest(tool_name="sleep", input_data={}) for _ in range(100)]

    async def main():
        results = await executor.execute_tools_parallel(requests)
        assert all(r.success for r in results)

    asyncio.run(main())
    """
)

# Imports nothing but toolexec before a sync tool runs on a worker thread.
SCRIPT_MAIN_THREAD_AFTER_A_SYNC_TOOL = textwrap.dedent(
    """
    import sys
    from toolexec import ToolExecutor, ToolExecutionRequest

    executor = ToolExecutor(builtin_tools=False)

    @executor.tool
    def quick(data):
        return 2

    assert executor.execute_tool_sync(ToolExecutionRequest(tool_name="quick", input_data={})).success
    import threading
    print(threading.main_thread() is threading.current_thread())
    """
)

# Leaves a sync tool running on a worker thread (its call timed out) and exits.
SCRIPT_SYNC_TOOL_STILL_RUNNING = textwrap.dedent(
    """
    import time
    from toolexec import ToolExecutor, ToolExecutionRequest

    executor = ToolExecutor(builtin_tools=False, max_retries=0)

    @executor.tool
    def slow(data):
        time.sleep(0.5)
        return 1

    @executor.tool
    def quick(data):
        return 2

    requests = [ToolExecutionRequest(tool_name="quick", input_data={}) for _ in range(50)]
    requests.append(ToolExecutionRequest(tool_name="slow", input_data={}, timeout_seconds=0.05))
    results = executor.execute_tools_sync(requests)
    assert results[-1].status.value == "timeout", results[-1].to_dict()
    print("done")
    """
)


def run_script(source: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=60)


def assert_clean_exit(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, f"exit status {done.returncode}; stderr:\n{done.stderr}"
    assert "Fatal Python error" not in done.stderr, done.stderr


def test_a_script_that_exits_right_after_its_last_await_exits_cleanly_every_time():
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: run_script(SCRIPT_AWAIT_THEN_EXIT), range(40)))
    for done in runs:
        assert_clean_exit(done)


def test_a_script_that_exits_with_a_sync_tool_still_running_exits_cleanly():
    for _ in range(3):
        done = run_script(SCRIPT_SYNC_TOOL_STILL_RUNNING)
        assert_clean_exit(done)
        assert done.stdout.strip() == "done"


def test_the_main_thread_stays_threadings_main_thread_after_a_sync_tool_ran():
    # A worker that imported `threading` first became its main thread, and the
    # interpreter's exit then waited for that worker's 10 s keep-alive.
    done = run_script(SCRIPT_MAIN_THREAD_AFTER_A_SYNC_TOOL)
    assert_clean_exit(done)
    assert done.stdout.strip() == "True"
