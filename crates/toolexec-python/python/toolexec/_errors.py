"""Exceptions a Python tool raises to tell the engine how to handle a failure.

Any other exception makes the call ``failed`` with the exception's type and message,
without a retry.
"""

from __future__ import annotations

from typing import Optional


class ToolError(Exception):
    """Base class of the exceptions the engine gives a meaning to."""


class TransientError(ToolError):
    """A failure another attempt may not have: retried with backoff.

    The built-in ``ConnectionError`` and ``TimeoutError`` are treated the same way.
    """


class ThrottledError(TransientError):
    """The backend asked to slow down: retried, waiting at least ``retry_after`` seconds."""

    def __init__(self, message: str = "throttled", retry_after: Optional[float] = None):
        super().__init__(message)
        self.retry_after = retry_after


class InvalidInputError(ToolError, ValueError):
    """The input does not fit the tool: never retried; ``field`` names the bad field."""

    def __init__(self, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.field = field


class NotFoundError(ToolError, LookupError):
    """Something the input refers to does not exist: never retried."""


class ToolCancelled(BaseException):
    """Raised inside a synchronous tool whose call timed out or was cancelled.

    It derives from ``BaseException``, like ``asyncio.CancelledError``, so that a
    tool's ``except Exception`` does not swallow it.
    """
