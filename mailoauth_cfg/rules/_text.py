"""Small text helpers for rule messages and fixes."""

from __future__ import annotations

import re

_BARE = re.compile(r"^[A-Za-z0-9@._+-]+$")


def ps_arg(value: str) -> str:
    """A PowerShell argument: bare when safe, else single-quoted with quotes doubled."""
    if _BARE.fullmatch(value):
        return value
    return "'" + value.replace("'", "''") + "'"
