"""Shared fixtures: a scratch supply-chain database for the whole session, and an
executor factory whose executors keep the tests fast (millisecond backoffs, no
built-in tools unless asked for)."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Callable

import pytest

# Every executor and orchestrator of the session uses one scratch database, seeded on
# first use, never the user's own.
_DB_DIR = tempfile.mkdtemp(prefix="toolexec-pytest-")
os.environ["TOOLEXEC_DB"] = os.path.join(_DB_DIR, "supply-chain.db")

from toolexec import ToolExecutor  # noqa: E402


@pytest.fixture
def make_executor() -> Callable[..., ToolExecutor]:
    """``make_executor(**kwargs)``: an executor without the built-in tools, with fast,
    unjittered backoff (10 ms, 20 ms, ...) unless the test says otherwise."""

    def make(**kwargs: Any) -> ToolExecutor:
        kwargs.setdefault("builtin_tools", False)
        kwargs.setdefault("backoff_initial", 0.01)
        kwargs.setdefault("jitter", "none")
        return ToolExecutor(**kwargs)

    return make
