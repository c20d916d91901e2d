"""Indented JSON text, byte for byte what ``json.dumps(indent=2, sort_keys=True)`` writes.

``json`` writes indented text in pure Python, one call per value; a manifest or a host config
of ten thousand mailboxes holds hundreds of thousands. Here a mapping whose values are all
scalars (a manifest entry, a mailbox) is written by the C encoder in one call, its item
separator carrying the line break and the indent. Anything unusual (a key that is not text)
is left to ``json`` itself.
"""

from __future__ import annotations

import json
from typing import Any

_SCALARS = (str, int, float, bool, type(None))


class _Irregular(Exception):
    """Internal: a value this module does not write itself."""


def dumps_indented(value: Any, *, ensure_ascii: bool = True) -> str:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=ensure_ascii)``."""
    try:
        return _indented(value, 0, ensure_ascii)
    except (_Irregular, RecursionError):
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=ensure_ascii)


def dumps_nested(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(indent=2, sort_keys=True)`` writes it ``level`` levels deep
    (its first line not indented, the following ones so).

    Raises:
        ValueError: a value this module does not write itself (a key that is not text).
    """
    try:
        return _indented(value, level, True)
    except (_Irregular, RecursionError):
        raise ValueError("not written here: use json.dumps") from None


def _indented(value: Any, level: int, ascii_only: bool) -> str:
    if isinstance(value, dict) and value:
        inner = "\n" + "  " * (level + 1)
        if not all(type(key) is str for key in value):
            raise _Irregular
        scalars = {k: v for k, v in value.items() if isinstance(v, _SCALARS)}
        if len(scalars) == len(value):
            body = json.dumps(
                value, sort_keys=True, ensure_ascii=ascii_only, separators=("," + inner, ": ")
            )[1:-1]
        else:
            # the scalar items in one C call, cut apart on NUL (JSON text escapes every control
            # character, so none is inside an item), then merged with the others by key
            items = iter(
                json.dumps(
                    scalars, sort_keys=True, ensure_ascii=ascii_only, separators=("\x00", ": ")
                )[1:-1].split("\x00")
                if scalars
                else ()
            )
            body = ("," + inner).join(
                next(items)
                if key in scalars
                else json.dumps(key, ensure_ascii=ascii_only)
                + ": "
                + _indented(value[key], level + 1, ascii_only)
                for key in sorted(value)
            )
        return "{" + inner + body + "\n" + "  " * level + "}"
    if isinstance(value, list | tuple) and value:
        inner = "\n" + "  " * (level + 1)
        body = ("," + inner).join(_indented(item, level + 1, ascii_only) for item in value)
        return "[" + inner + body + "\n" + "  " * level + "]"
    return json.dumps(value, ensure_ascii=ascii_only)
