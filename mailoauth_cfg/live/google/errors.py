"""Error texts of Google API and token endpoint answers, and which failures are transient.

Failures raise :class:`~mailoauth_cfg.errors.LiveReadError` (the one exception tree);
:class:`Transient` and :class:`MalformedAnswer` are its retryable kinds, raised where a library
would otherwise run its own retry loop, so that the fetch's budget (and deadline) applies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mailoauth_cfg.errors import LiveReadError
from mailoauth_cfg.live.options import FetchOptions

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Transient(LiveReadError):
    """A retryable answer of the token endpoint (raised before google-auth's own retry loop)."""

    def __init__(self, status: int, retry_after: float | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


class MalformedAnswer(LiveReadError):
    """A single call answered 2xx with a body that is not JSON (retried)."""


@dataclass(frozen=True, slots=True)
class Malformed:
    """What a wrapped ``postproc`` returns for a body that is not JSON."""

    reason: str


def as_json(content: Any) -> Any:
    if isinstance(content, bytes | bytearray):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(content, str):
        try:
            return json.loads(content) if content.strip() else None
        except ValueError:
            return None
    return content


def error_text(status: int, content: Any) -> str:
    """``HTTP 403 PERMISSION_DENIED: message`` from a Google API or token endpoint error body."""
    body = as_json(content)
    code = ""
    message = ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = str(error.get("status") or "")
            errors = error.get("errors")
            if not code and isinstance(errors, list) and errors and isinstance(errors[0], dict):
                code = str(errors[0].get("reason") or "")
            message = str(error.get("message") or "")
        elif isinstance(error, str):
            code = error
            message = str(body.get("error_description") or "")
    text = f"HTTP {status}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message[:300]}"
    return text


def describe(exc: BaseException) -> str:
    """A one-line reason for an unexpected exception."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:400] if text else type(exc).__name__


@dataclass(frozen=True, slots=True)
class Problem:
    """Whether a failed attempt may be retried, why it failed, and the server's wait."""

    transient: bool
    reason: str
    retry_after: float | None = None


def classify(exc: BaseException, options: FetchOptions) -> Problem:
    """Whether a failed attempt may be retried, and why it failed."""
    import http.client

    import httplib2
    from google.auth import exceptions as auth_errors
    from googleapiclient.errors import BatchError, HttpError

    from mailoauth_cfg.live._http import parse_retry_after

    if isinstance(exc, Transient):
        return Problem(True, exc.reason, exc.retry_after)
    if isinstance(exc, MalformedAnswer):
        return Problem(True, exc.reason)
    if isinstance(exc, BatchError):
        return Problem(True, f"malformed batch response ({exc.reason})")
    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        reason = error_text(status, exc.content)
        after = parse_retry_after(exc.resp.get("retry-after"))
        if after is not None:
            reason += f" (Retry-After {after:g} s)"
        return Problem(status in RETRY_STATUSES, reason, after)
    if isinstance(exc, TimeoutError):
        return Problem(True, f"timed out after {options.timeout:g} s")
    if isinstance(exc, auth_errors.RefreshError):
        first = exc.args[0] if exc.args else exc
        return Problem(False, f"token request refused: {str(first)[:300]}")
    if isinstance(exc, auth_errors.TransportError):
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, TimeoutError) or "timed out" in str(inner):
            return Problem(True, f"timed out after {options.timeout:g} s")
        return Problem(True, f"connection failed ({describe(inner)})")
    if isinstance(exc, ValueError | KeyError | TypeError | IndexError):
        return Problem(True, f"malformed batch response ({describe(exc)})")
    if isinstance(exc, httplib2.HttpLib2Error | http.client.HTTPException | OSError):
        return Problem(True, f"connection failed ({describe(exc)})")
    return Problem(False, describe(exc))
