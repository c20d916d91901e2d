"""Keep secrets out of messages, in every encoding a secret travels in.

Every secret the token code handles (client secrets, refresh and access tokens, authorization
codes) is registered here; :func:`redact` is the second line of defence, applied to every
message about a failure and to every server reply the tool prints. A registered secret is
replaced by ``[redacted]`` when it appears:

* as is, or JSON-escaped;
* URL- or form-encoded, whatever the encoder chose for each character (``+`` or ``%2B``,
  ``~`` or ``%7E``, a space as ``+`` or ``%20``, upper- or lower-case hexadecimal);
* base64-encoded (standard or URL-safe alphabet, padded or not) alone or inside a longer
  string at any offset: the XOAUTH2 and OAUTHBEARER strings a mail server may quote back
  carry the access token after ``user=...\\x01auth=Bearer``. For each of the three byte
  alignments the characters that depend only on the secret are searched for.
"""

from __future__ import annotations

import base64
import json
import re
import threading

_LOCK = threading.Lock()
_SECRETS: set[str] = set()
_MIN_LENGTH = 6
"""Shorter values are not registered: replacing them would garble ordinary text."""
_MIN_CORE = 8
"""Shortest base64 run searched for (shorter runs occur by chance in ordinary base64)."""
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

REPLACEMENT = "[redacted]"

_cache: tuple[re.Pattern[str] | None, tuple[str, ...]] | None = None


def register(*values: str | None) -> None:
    """Remember secret values (tokens, client secrets) so that :func:`redact` hides them."""
    global _cache
    with _LOCK:
        for value in values:
            if value and len(value) >= _MIN_LENGTH and value not in _SECRETS:
                _SECRETS.add(value)
                _cache = None


def clear() -> None:
    """Forget every registered secret (tests)."""
    global _cache
    with _LOCK:
        _SECRETS.clear()
        _cache = None


def _percent(char: str) -> str:
    return "".join(
        f"%(?:{b >> 4:X}|{b >> 4:x})(?:{b & 15:X}|{b & 15:x})" for b in char.encode("utf-8")
    )


def url_pattern(secret: str) -> str:
    """A regular expression matching ``secret`` raw or URL/form-encoded in any mix."""
    parts = []
    for char in secret:
        options = [re.escape(char), _percent(char)]
        if char == " ":
            options.append(r"\+")
        parts.append("(?:" + "|".join(options) + ")")
    return "".join(parts)


def base64_cores(secret: str) -> set[str]:
    """The base64 runs (both alphabets) present in any base64 text that contains ``secret``.

    With ``k`` bytes before it (``k`` = 0, 1, 2 modulo 3), the characters whose six bits all
    come from the secret are fixed; the ones at the edges also depend on the neighbours.
    """
    raw = secret.encode("utf-8")
    cores: set[str] = set()
    for k in range(3):
        encoded = base64.b64encode(b"\0" * k + raw).decode("ascii")
        start = -(-8 * k // 6)
        end = (8 * (k + len(raw))) // 6
        core = encoded[start:end]
        if len(core) >= _MIN_CORE:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def _compiled() -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    global _cache
    with _LOCK:
        if _cache is not None:
            return _cache
        secrets = sorted(_SECRETS, key=len, reverse=True)
        literals: set[str] = set()
        for secret in secrets:
            literals |= base64_cores(secret)
            escaped = json.dumps(secret)[1:-1]
            if escaped != secret:
                literals.add(escaped)
        pattern = re.compile("|".join(url_pattern(s) for s in secrets)) if secrets else None
        _cache = (pattern, tuple(sorted(literals, key=len, reverse=True)))
        return _cache


def redact(text: str) -> str:
    """``text`` with every registered secret, in any encoding above, replaced."""
    pattern, literals = _compiled()
    if pattern is None:
        return text
    for literal in literals:
        if literal in text:
            text = text.replace(literal, REPLACEMENT)
    return pattern.sub(REPLACEMENT, text)


def redact_value(value: object) -> object:
    """:func:`redact` applied to every text inside a JSON-like value (keys included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value
