"""The Jinja2 environment: sandboxed, strict, with one escaping filter per output syntax.

No value from the YAML may break out of the string it is placed in. Templates therefore never
print a value raw: each value goes through the filter of the syntax it lands in (``php``,
``sql``, ``ini``, ``json``, ``sh``, ``xml``, ``postfix``, ``msmtprc``, ``md``). A value that a
syntax cannot represent safely (a newline in an INI value, a NUL anywhere) stops the render with an
error instead of producing a file that means something else.

Secrets are :class:`Secret` objects. Filters unwrap them and record that the file being
rendered holds a secret, so the writer gives it mode 0600 and ``--diff`` masks it.
"""

from __future__ import annotations

import contextvars
import json
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mailoauth_cfg.errors import RenderError


class Secret:
    """A resolved secret. ``str()`` is refused: only escaping filters may unwrap it."""

    __slots__ = ("_value", "reference")

    def __init__(self, value: str, reference: str) -> None:
        self._value = value
        self.reference = reference

    def reveal(self) -> str:
        """The secret value; records that the current output holds a secret."""
        tracker = _TRACKER.get()
        if tracker is not None:
            tracker.secrets.add(self._value)
            tracker.pending = True
        return self._value

    def __str__(self) -> str:
        raise RenderError(
            f"a template printed the secret from {self.reference} without an escaping filter"
        )

    def __repr__(self) -> str:
        return f"Secret({self.reference})"

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass
class _Tracker:
    secrets: set[str] = field(default_factory=set)
    pending: bool = False
    """A secret was revealed since the last printed expression: that one carries it."""


SPAN_OPEN = "\x00\x02"
SPAN_CLOSE = "\x00\x03"
"""Marks around each printed expression that carries a secret, while tracking; the renderer
turns them into the manifest's secret spans and removes them (no value can hold a NUL)."""


_TRACKER: contextvars.ContextVar[_Tracker | None] = contextvars.ContextVar(
    "mailoauth_cfg_render_tracker", default=None
)


@contextmanager
def tracking() -> Iterator[_Tracker]:
    """Record the secrets revealed while rendering one file."""
    tracker = _Tracker()
    token = _TRACKER.set(tracker)
    try:
        yield tracker
    finally:
        _TRACKER.reset(token)


def _text(value: Any, syntax: str) -> str:
    if isinstance(value, Secret):
        text = value.reveal()
    elif value is None:
        raise RenderError(f"a template passed an empty value to the {syntax} filter")
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if "\x00" in text:
        raise RenderError(f"a value for {syntax} output contains a NUL character")
    return text


def _no_newline(text: str, syntax: str) -> str:
    if "\n" in text or "\r" in text:
        raise RenderError(
            f"a value for {syntax} output contains a line break, which {syntax} "
            "cannot hold in a single value"
        )
    return text


def php_string(value: Any) -> str:
    """A PHP single-quoted string literal (only ``\\`` and ``'`` are special inside)."""
    text = _text(value, "PHP")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sql_string(value: Any) -> str:
    """A SQL string literal safe for MySQL/MariaDB (default mode) and PostgreSQL/SQLite.

    Quotes are doubled; backslashes are refused, because MySQL treats them as escapes while
    standard SQL does not, so no single spelling means the same thing in both.
    """
    text = _text(value, "SQL")
    if "\\" in text:
        raise RenderError("a value for SQL output contains a backslash; use the PHP script")
    return "'" + text.replace("'", "''") + "'"


def ini_value(value: Any) -> str:
    """A configparser value: one line, ``%`` doubled (interpolation), no leading spaces."""
    text = _no_newline(_text(value, "INI"), "INI")
    if text != text.strip():
        raise RenderError("a value for INI output starts or ends with spaces")
    return text.replace("%", "%%")


def json_value(value: Any, indent: int | None = None) -> str:
    """A JSON value (strings quoted and escaped); ``indent`` pretty-prints containers."""
    if isinstance(value, Secret):
        return json.dumps(value.reveal(), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent)


def shell_word(value: Any) -> str:
    """One POSIX shell word."""
    return shlex.quote(_text(value, "shell"))


def xml_text(value: Any) -> str:
    """Text or attribute content for XML."""
    text = _text(value, "XML")
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def postfix_word(value: Any) -> str:
    """A Postfix map/main.cf token: no white space, no comment character."""
    text = _text(value, "Postfix")
    if any(c.isspace() for c in text) or "#" in text:
        raise RenderError("a value for Postfix output contains white space or '#'")
    return text


def msmtprc_value(value: Any) -> str:
    """An msmtprc argument, double-quoted with ``\\`` and ``"`` escaped."""
    text = _no_newline(_text(value, "msmtprc"), "msmtprc")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def markdown_code(value: Any) -> str:
    """Inline Markdown code span that survives backticks in the value."""
    text = _no_newline(_text(value, "Markdown"), "Markdown")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_text(value: Any) -> str:
    """Plain Markdown text with the characters that start markup escaped."""
    text = _no_newline(_text(value, "Markdown"), "Markdown")
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


FILTERS = {
    "php": php_string,
    "sql": sql_string,
    "ini": ini_value,
    "json": json_value,
    "sh": shell_word,
    "xml": xml_text,
    "postfix": postfix_word,
    "msmtprc": msmtprc_value,
    "code": markdown_code,
    "md": markdown_text,
}


def _finalize(value: Any) -> Any:
    if isinstance(value, Secret):
        raise RenderError(
            f"a template printed the secret from {value.reference} without an escaping filter"
        )
    tracker = _TRACKER.get()
    if tracker is not None and tracker.pending:
        tracker.pending = False
        return f"{SPAN_OPEN}{value}{SPAN_CLOSE}"
    return value


def packaged_templates() -> Path:
    """``templates/`` of the source tree, or the copy inside the wheel."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_data" / "templates"
    if installed.is_dir():
        return installed
    return package.parent / "templates"


def make_environment(extra_dirs: list[Path] | None = None) -> ImmutableSandboxedEnvironment:
    """A sandboxed, strict environment; ``extra_dirs`` come first in the search path."""
    search = [str(p) for p in (extra_dirs or [])] + [str(packaged_templates())]
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(search),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(FILTERS)
    return env
