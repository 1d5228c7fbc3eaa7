"""``ToolExecutionStatus``: where a call stands."""

from __future__ import annotations

import enum


class ToolExecutionStatus(str, enum.Enum):
    """The original design's statuses plus the engine's own.

    ``PENDING``, ``RUNNING`` and ``RETRYING`` are live states; a result's status is
    one of the final ones: ``SUCCESS``, ``FAILED``, ``TIMEOUT``, ``CANCELLED`` (the
    call was cancelled), ``REJECTED`` (never attempted: the tool's circuit is open) or
    ``INTERRUPTED`` (the process running it ended first; read back from a journal).
    Members compare equal to their lower-case string values.
    """

    PENDING = "pending"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    INTERRUPTED = "interrupted"

    def __str__(self) -> str:
        return self.value
