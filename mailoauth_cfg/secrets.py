"""Reading a secret reference (``env:``, ``file:`` or a literal ``value:``): the one place.

Rendering turns a reference that cannot be read into a located finding, token flows into a
:class:`~mailoauth_cfg.errors.SecretError`; both read it here. Messages name the reference,
never the value (an undecodable file is "not valid UTF-8 text", not the decoder's byte report),
and not even the reference when it does not have the usual form of a variable name or a path:
that may be the secret itself, pasted where its reference belongs (:meth:`SecretRef.describe`).
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


def source_key(ref: SecretRef) -> Literal["value", "env", "file"]:
    """The key of ``ref`` that holds the secret or says where it is."""
    if ref.value is not None:
        return "value"
    return "env" if ref.env is not None else "file"


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # os.environ decodes undecodable bytes to lone surrogates
        return False
    return True


def read_secret(ref: SecretRef, root: Path, environ: Mapping[str, str]) -> str | Unresolved:
    """The secret ``ref`` points at; a relative ``file:`` is read from ``root``."""
    if ref.value is not None:
        return ref.value.get_secret_value()
    if ref.env is not None:
        value = environ.get(ref.env)
        variable = (
            f"environment variable {ref.env}"
            if ref.env_shown
            else "the environment variable named here (name hidden: it may be a secret)"
        )
        if not value:
            return Unresolved(
                "env",
                f"{variable} is not set (or empty)",
                f"export {ref.env}=... before rendering (from your secret store)"
                if ref.env_shown
                else "name an environment variable here and export it before rendering; a "
                "secret never goes in the config",
            )
        if not _is_text(value):
            return Unresolved(
                "env",
                f"{variable} is not valid UTF-8 text",
                "set it to the secret as UTF-8 text (check the secret store's encoding)",
            )
        return value
    file = Path(ref.file or "")
    if not file.is_absolute():
        file = root / file
    what = (
        f"secret file {ref.file}"
        if ref.file_shown
        else "the secret file named here (path hidden: it may be a secret)"
    )
    try:
        text = file.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = (
            exc.strerror
            if isinstance(exc, OSError) and exc.strerror
            else "it is not valid UTF-8 text"
        )
        return Unresolved(
            "file",
            f"{what} cannot be read: {reason}",
            "create the file (mode 0600, UTF-8 text) or correct the path",
        )
    if not text:
        return Unresolved("file", f"{what} is empty", "write the secret")
    return text
