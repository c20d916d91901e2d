"""Where things are in a config: key paths, source marks and locations.

A :class:`Location` is what a finding points at (``file:line:col`` plus the key path); a
:class:`SourceMap` remembers the :class:`Mark` of every key and value the loader read, so that
rules can locate any key path. Plain data, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from typing import NamedTuple

from mailoauth_cfg.records import record

PathKey = tuple[str | int, ...]
"""A key path into the merged document: ``("apps", "erp", "permissions", 1)``."""


@record(hot=True)
class Location:
    """A place in a config file. Lines and columns are 1-based; 0 means unknown."""

    file: str
    line: int = 0
    column: int = 0
    path: str = ""
    """Key path inside the document, e.g. ``apps.erp-mail.permissions[1]``."""

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


class Mark(NamedTuple):
    """Where a key or value starts (1-based line and column).

    A named tuple rather than a dataclass: a 10,000-mailbox config holds ~150,000 marks.
    """

    file: str
    line: int
    column: int


@record(frozen=False)
class SourceMap:
    """Marks of every value and every mapping key, by key path."""

    values: dict[PathKey, Mark] = field(default_factory=dict)
    keys: dict[PathKey, Mark] = field(default_factory=dict)

    def value(self, path: PathKey) -> Mark | None:
        """Mark of the value at ``path``, or of its nearest known ancestor."""
        return nearest_mark(self.values, path)

    def key(self, path: PathKey) -> Mark | None:
        """Mark of the key that names ``path`` (falls back to the value, then ancestors)."""
        mark = self.keys.get(path)
        if mark is not None:
            return mark
        return self.value(path)

    def location(self, path: PathKey, *, at_key: bool = False) -> Location:
        """A :class:`Location` for ``path``; ``at_key`` points at the key rather than the value."""
        mark = self.key(path) if at_key else self.value(path)
        text = format_path(path)
        if mark is None:
            return Location(file="", path=text)
        return Location(file=mark.file, line=mark.line, column=mark.column, path=text)


def nearest_mark(marks: dict[PathKey, Mark], path: PathKey) -> Mark | None:
    """The mark of ``path`` or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        mark = marks.get(path[:end])
        if mark is not None:
            return mark
    return None


def format_path(path: PathKey) -> str:
    """Render a key path as ``apps.erp-mail.permissions[1]``; a key that may be a pasted secret
    reads ``<hidden>``."""
    out: list[str] = []
    for index, part in enumerate(path):
        if isinstance(part, str) and is_hidden_key(path[:index], part):
            part = HIDDEN_KEY  # a key under a secret may be the secret itself
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part == HIDDEN_KEY or (part and all(c.isalnum() or c in "-_@+" for c in part)):
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


SECRET_KEYS = frozenset({"client_secret", "app_password", "certificate", "credential"})
"""Keys whose values are (references to) secrets, or facts next to which one gets pasted
(``credential:``, the name of the credential a target uses, invites the secret itself)."""
SECRET_LISTS = frozenset({"credentials"})
"""Keys whose list items are each such a subtree (``apps.<a>.credentials[i]``)."""
_NOT_SECRET = frozenset({"expires", "created", "name", "type"})
"""Facts inside those subtrees that are never a secret (dates, a credential's name and type)."""
_KNOWN_INSIDE = frozenset(
    {
        "value",
        "env",
        "file",
        "expires",
        "created",
        "key_id",
        "thumbprint",
        "key",
        "certificate_file",
        "name",
        "type",
    }
)
"""Keys the model knows inside those subtrees; any other key there may be a pasted secret."""
HIDDEN_KEY = "<hidden>"


def _secret_subtree(path: Sequence[str | int]) -> int | None:
    """Index of the secret key (or secret list item) that ``path`` enters, if any."""
    for index, part in enumerate(path):
        if part in SECRET_KEYS:
            return index
        if part in SECRET_LISTS and index + 1 < len(path) and isinstance(path[index + 1], int):
            return index + 1
    return None


def is_secret_path(path: Sequence[str | int]) -> bool:
    """Whether ``path`` is where a secret, or a reference to one, may be written.

    That is a client secret, an app password, a certificate or an entry of an app's
    ``credentials`` (``client_secret: <text>``, the commonest mistake), anything inside them (a
    secret pasted as an environment variable name, a file path, a thumbprint or a key ID) except
    their dates, names and types, and the ``credential`` a target names. Messages about such a
    value never show it.
    """
    index = _secret_subtree(path)
    if index is None:
        return False
    tail = path[index + 1 :]
    return not tail or tail[0] not in _NOT_SECRET


def is_hidden_key(path: Sequence[str | int], key: object) -> bool:
    """Whether ``key``, written under ``path``, is a name to hide (it may be a pasted secret)."""
    return _secret_subtree(path) is not None and key not in _KNOWN_INSIDE
