"""Error texts of Graph and Exchange Online answers, and what they mean for a read.

Graph and the Exchange admin API both answer errors as ``{"error": {"code", "message",
"details": [...], "innererror": {...}}}``; :func:`error_text` makes one line of it for the
snapshot's ``unavailable`` record and the ``unknown`` finding. Reads that fail raise
:class:`~mailoauth_cfg.errors.LiveReadError` (the one exception tree); :class:`ObjectNotFound`
is the cmdlet's "no such object", which a read turns into "does not exist".
"""

from __future__ import annotations

import json
from typing import Any

from mailoauth_cfg.errors import LiveCheckError, LiveReadError
from mailoauth_cfg.live.microsoft.permissions import hint

__all__ = [
    "LiveReadError",
    "ObjectNotFound",
    "describe",
    "error_text",
    "is_not_found",
    "is_parameter_binding",
    "with_hint",
]


class ObjectNotFound(LiveCheckError):
    """An Exchange cmdlet reported that the object named by ``-Identity`` does not exist."""


def error_text(status: int, body: Any) -> str:
    """``HTTP 403 Authorization_RequestDenied: Insufficient privileges…`` from a Graph or Exchange
    error body (``error.code``/``error.message``, ``error.details``, ``innererror``)."""
    code = ""
    message = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code") or "")
        message = str(error.get("message") or "")
        details = error.get("details")
        if not message and isinstance(details, list) and details:
            message = str(details[0].get("message") or "") if isinstance(details[0], dict) else ""
        inner = error.get("innererror")
        if not message and isinstance(inner, dict):
            internal = inner.get("internalException")
            if isinstance(internal, dict):
                message = str(internal.get("message") or "")
    text = f"HTTP {status}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message[:300]}"
    return text


def describe(exc: BaseException) -> str:
    """A one-line reason for an unexpected exception (credential, SDK)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:400] if text else type(exc).__name__


def is_not_found(status: int, body: Any) -> bool:
    """Whether an Exchange answer says the object does not exist (404, or an error naming
    ``ManagementObjectNotFoundException`` / "couldn't be found")."""
    if status == 404:
        return True
    text = json.dumps(body) if body is not None else ""
    return "ManagementObjectNotFoundException" in text or "couldn't be found" in text


def is_parameter_binding(body: Any) -> bool:
    """Whether an Exchange answer is a ``ParameterBindingException`` (a parameter the cmdlet
    does not have, or a value it cannot bind): the call was wrong, not the checker's rights."""
    return "ParameterBindingException" in (json.dumps(body) if body is not None else "")


def with_hint(reason: str, collection: str) -> str:
    """``reason``, plus what the checker needs when the service refused it (401/403)."""
    if ("HTTP 403" in reason or "HTTP 401" in reason) and "the checker needs" not in reason:
        return f"{reason}; {hint(collection)}"
    return reason
