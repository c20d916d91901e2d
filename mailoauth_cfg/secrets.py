"""Reading a secret reference (``env:``, ``file:`` or a literal ``value:``): the one place.

Rendering turns a reference that cannot be read into a located finding, token flows into a
:class:`~mailoauth_cfg.errors.SecretError`; both read it here. Messages name the reference,
never the value (an undecodable file is "unreadable", not the decoder's byte report).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mailoauth_cfg.model import SecretRef


@dataclass(frozen=True, slots=True)
class Unresolved:
    """Why a reference gave no secret, and how to fix it."""

    key: Literal["env", "file"]
    """The key of the reference at fault."""
    reason: str
    fix: str


def read_secret(ref: SecretRef, root: Path, environ: Mapping[str, str]) -> str | Unresolved:
    """The secret ``ref`` points at; a relative ``file:`` is read from ``root``."""
    if ref.value is not None:
        return ref.value.get_secret_value()
    if ref.env is not None:
        value = environ.get(ref.env)
        if not value:
            return Unresolved(
                "env",
                f"environment variable {ref.env} is not set (or empty)",
                f"export {ref.env}=... before rendering (from your secret store)",
            )
        return value
    file = Path(ref.file or "")
    if not file.is_absolute():
        file = root / file
    try:
        text = file.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
        return Unresolved(
            "file",
            f"secret file {ref.file} cannot be read: {reason}",
            "create the file (mode 0600) or correct the path",
        )
    if not text:
        return Unresolved("file", f"secret file {ref.file} is empty", "write the secret")
    return text
