"""Runs the same workloads from Python on three executors and prints the medians.

(a) toolexec: the Rust engine through this package, with built-in (Rust) tools and
    with Python tools, sync and ``async def``;
(b) the original design written plainly: ``asyncio.gather`` of coroutines that each
    ``loop.run_in_executor(ThreadPoolExecutor(max_workers), ...)`` a synchronous call
    under ``asyncio.wait_for``, with a retry loop sleeping 1, 2, 4, 8 s scaled down by
    ``--backoff-scale`` (1/1000: 1, 2, 4, 8 ms), recording each call's time;
(c) plain asyncio tasks of ``async def`` tools under an ``asyncio.Semaphore``, with
    the same retry loop and no per-call timeout.

Workloads: ``noop`` (per-call overhead: N calls of a tool that returns at once),
``fanout`` (10,000 calls of a 10 ms tool at concurrency 1,000; efficiency = the ideal
time calls x 10 ms / concurrency over the measured time), ``flaky`` (each call fails
twice, then succeeds; 1,000 calls at concurrency 100).

    target/py-venv/bin/python crates/toolexec-python/bench/bench.py [--repeat 5] [--json]

Build the wheel optimised first: ``TOOLEXEC_PY_PROFILE=release scripts/setup/python.sh``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Dict, List

from toolexec import ToolExecutionRequest, ToolExecutor, TransientError

BACKOFF_SCALE = 1 / 1000
MAX_RETRIES = 3
TIMEOUT = 30.0


# (b) The original design, written plainly.
class OriginalExecutor:
    def __init__(self, max_workers: int, backoff_scale: float) -> None:
        self.pool = ThreadPoolExecutor(max_workers=max_workers)
        self.backoff_scale = backoff_scale
        self.times: List[float] = []

    async def execute_tool_async(self, fn: Callable[[dict], Any], data: dict) -> Dict[str, Any]:
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        for attempt in range(MAX_RETRIES + 1):
            try:
                result = await asyncio.wait_for(loop.run_in_executor(self.pool, fn, data), TIMEOUT)
                outcome = {"success": True, "result": result, "attempts": attempt + 1}
                break
            except Exception as error:  # the original retried every exception
                if attempt == MAX_RETRIES:
                    outcome = {"success": False, "error": str(error), "attempts": attempt + 1}
                    break
                await asyncio.sleep((2 ** attempt) * self.backoff_scale)
        self.times.append((time.perf_counter() - started) * 1000)
        return outcome

    async def execute_tools_parallel(self, fn: Callable[[dict], Any], inputs: List[dict]) -> List[Dict[str, Any]]:
        return await asyncio.gather(*(self.execute_tool_async(fn, d) for d in inputs))

    def close(self) -> None:
        self.pool.shutdown(wait=True)


# (c) Plain asyncio tasks under a semaphore.
async def semaphore_parallel(fn: Callable[[dict], Awaitable[Any]], inputs: List[dict], concurrency: int,
                             backoff_scale: float) -> List[Dict[str, Any]]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(data: dict) -> Dict[str, Any]:
        for attempt in range(MAX_RETRIES + 1):
            try:
                async with semaphore:
                    result = await fn(data)
                return {"success": True, "result": result, "attempts": attempt + 1}
            except Exception as error:
                if attempt == MAX_RETRIES:
                    return {"success": False, "error": str(error), "attempts": attempt + 1}
                await asyncio.sleep((2 ** attempt) * backoff_scale)
        raise AssertionError("unreachable")

    return await asyncio.gather(*(asyncio.create_task(one(d)) for d in inputs))


# The tools, in the three flavours.
def noop_sync(data: dict) -> Any:
    return data["i"]


async def noop_async(data: dict) -> Any:
    return data["i"]


def sleep_sync(data: dict) -> Any:
    time.sleep(0.01)
    return data["i"]


async def sleep_async(data: dict) -> Any:
    await asyncio.sleep(0.01)
    return data["i"]


class Flaky:
    """Fails the first two attempts of every call (by its input ``i``)."""

    def __init__(self) -> None:
        self.seen: Dict[int, int] = {}

    def hit(self, data: dict) -> Any:
        n = self.seen.get(data["i"], 0) + 1
        self.seen[data["i"]] = n
        if n <= 2:
            raise TransientError("flaky")
        return data["i"]

    def sync(self, data: dict) -> Any:
        return self.hit(data)

    async def coroutine(self, data: dict) -> Any:
        return self.hit(data)


CONFIG = """
[tools.noop]
backend = "sim"

[tools.sleep10]
backend = "sim"
latency_ms = 10

[tools.flaky]
backend = "sim"
fail_first = 2
"""


def toolexec_executor(config: str, max_workers: int, backoff_scale: float, tools: Dict[str, Callable]) -> ToolExecutor:
    executor = ToolExecutor(max_workers=max_workers, default_timeout=TIMEOUT, max_retries=MAX_RETRIES,
                            config=config, builtin_tools=False, backoff_initial=backoff_scale,
                            backoff_multiplier=2.0, jitter="none", history_capacity=200_000)
    for name, fn in tools.items():
        executor.register(name, fn)
    executor.start()
    return executor


def timed(run: Callable[[], Any]) -> "tuple[float, float]":
    """Wall time and process CPU time (every thread) of one run, in seconds."""
    cpu_started = time.process_time()
    started = time.perf_counter()
    results = run()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    failed = [r for r in results if not (r["success"] if isinstance(r, dict) else r.success)]
    if failed:
        raise SystemExit(f"{len(failed)} calls failed: {failed[0]}")
    return elapsed, cpu


Samples = Dict[str, Dict[str, List["tuple[float, float]"]]]


def workloads(config: str, args: argparse.Namespace) -> Samples:
    scale = args.backoff_scale
    out: Samples = {}

    def measure(name: str, variant: str, run: Callable[[], Any]) -> None:
        run()  # warm-up
        samples = [timed(run) for _ in range(args.repeat)]
        out.setdefault(name, {})[variant] = samples
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        print(f"  {name:7} {variant:32} wall {wall * 1000:9.2f} ms  cpu {cpu * 1000:9.2f} ms", file=sys.stderr)

    # noop: per-call overhead.
    n, conc = args.noop_calls, 100
    inputs = [{"i": i} for i in range(n)]
    ex = toolexec_executor(config, conc, scale, {"py_noop": noop_sync, "py_noop_async": noop_async})

    def batch(tool: str) -> Callable[[], Any]:
        requests = [ToolExecutionRequest(tool_name=tool, input_data=d) for d in inputs]

        async def go() -> Any:
            return await ex.execute_tools_parallel(requests)

        return lambda: asyncio.run(go())

    measure("noop", "toolexec built-in (async API)", batch("noop"))
    requests = [ToolExecutionRequest(tool_name="noop", input_data=d) for d in inputs]
    measure("noop", "toolexec built-in (sync API)", lambda: ex.execute_tools_sync(requests))
    measure("noop", "toolexec python sync tool", batch("py_noop"))
    measure("noop", "toolexec python async tool", batch("py_noop_async"))
    original = OriginalExecutor(conc, scale)
    measure("noop", "original (ThreadPoolExecutor)", lambda: asyncio.run(original.execute_tools_parallel(noop_sync, inputs)))
    original.close()
    measure("noop", "asyncio + semaphore", lambda: asyncio.run(semaphore_parallel(noop_async, inputs, conc, scale)))

    # fanout: 10,000 calls of a 10 ms tool at concurrency 1,000.
    n, conc = args.fanout_calls, 1000
    inputs = [{"i": i} for i in range(n)]
    ex = toolexec_executor(config, conc, scale, {"py_sleep": sleep_sync, "py_sleep_async": sleep_async})
    measure("fanout", "toolexec built-in (async API)", batch("sleep10"))
    measure("fanout", "toolexec python async tool", batch("py_sleep_async"))
    measure("fanout", "toolexec python sync tool", batch("py_sleep"))
    original = OriginalExecutor(conc, scale)
    measure("fanout", "original (ThreadPoolExecutor)", lambda: asyncio.run(original.execute_tools_parallel(sleep_sync, inputs)))
    original.close()
    measure("fanout", "asyncio + semaphore", lambda: asyncio.run(semaphore_parallel(sleep_async, inputs, conc, scale)))

    # flaky: two failures, then success, for every call.
    n, conc = args.flaky_calls, 100
    inputs = [{"i": i} for i in range(n)]

    ex = toolexec_executor(config, conc, scale, {})
    measure("flaky", "toolexec built-in (async API)", batch("flaky"))
    flakies: Dict[str, Flaky] = {"sync": Flaky(), "async": Flaky()}

    def py_flaky(data: dict) -> Any:
        return flakies["sync"].sync(data)

    async def py_flaky_async(data: dict) -> Any:
        return await flakies["async"].coroutine(data)

    ex = toolexec_executor(config, conc, scale, {"py_flaky": py_flaky, "py_flaky_async": py_flaky_async})

    def python_flaky(kind: str, tool: str) -> Callable[[], Any]:
        go = batch(tool)

        def run() -> Any:
            flakies[kind] = Flaky()
            return go()

        return run

    measure("flaky", "toolexec python sync tool", python_flaky("sync", "py_flaky"))
    measure("flaky", "toolexec python async tool", python_flaky("async", "py_flaky_async"))

    def original_flaky() -> Any:
        original = OriginalExecutor(conc, scale)
        try:
            return asyncio.run(original.execute_tools_parallel(Flaky().sync, inputs))
        finally:
            original.close()

    measure("flaky", "original (ThreadPoolExecutor)", original_flaky)
    measure("flaky", "asyncio + semaphore",
            lambda: asyncio.run(semaphore_parallel(Flaky().coroutine, inputs, conc, scale)))
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--noop-calls", type=int, default=20_000)
    parser.add_argument("--fanout-calls", type=int, default=10_000)
    parser.add_argument("--flaky-calls", type=int, default=1_000)
    parser.add_argument("--backoff-scale", type=float, default=BACKOFF_SCALE)
    parser.add_argument("--json", action="store_true", help="print the raw samples as JSON")
    args = parser.parse_args()

    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "toolexec.toml")
        with open(config, "w") as f:
            f.write(CONFIG)
        results = workloads(config, args)

    if args.json:
        print(json.dumps({"machine": machine(), "samples": results}, indent=2))
        return
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Machine: {machine()}; load average {load_start} at the start, {load} at the end; "
          f"{args.repeat} runs each, medians.\n")
    print("| workload | executor | wall time | wall per call | CPU per call | fanout efficiency |")
    print("|---|---|---:|---:|---:|---:|")
    sizes = {"noop": args.noop_calls, "fanout": args.fanout_calls, "flaky": args.flaky_calls}
    for workload, variants in results.items():
        for variant, samples in variants.items():
            median = statistics.median(s[0] for s in samples)
            cpu = statistics.median(s[1] for s in samples)
            per_call = median / sizes[workload] * 1e6
            cpu_per_call = cpu / sizes[workload] * 1e6
            eff = ""
            if workload == "fanout":
                ideal = sizes[workload] * 0.010 / 1000
                eff = f"{ideal / median:.2f}"
            print(f"| {workload} | {variant} | {median * 1000:.1f} ms | {per_call:.2f} µs | {cpu_per_call:.2f} µs | {eff} |")


if __name__ == "__main__":
    main()
