"""Keep secrets out of messages: every secret the token code handles is registered here.

Errors raised by this package are built without secrets; :func:`redact` is the second line of
defence, applied by the CLI to every message it prints about a failure.
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()
_SECRETS: set[str] = set()
_MIN_LENGTH = 6
"""Shorter values are not registered: replacing them would garble ordinary text."""

REPLACEMENT = "[redacted]"


def register(*values: str | None) -> None:
    """Remember secret values (tokens, client secrets) so that :func:`redact` hides them."""
    with _LOCK:
        for value in values:
            if value and len(value) >= _MIN_LENGTH:
                _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``[redacted]``."""
    with _LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REPLACEMENT)
    return text


def clear() -> None:
    """Forget every registered secret (tests)."""
    with _LOCK:
        _SECRETS.clear()
