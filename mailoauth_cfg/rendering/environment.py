"""The Jinja2 environments, with escaping chosen by the output file's syntax (autoescape).

Every ``{{ ... }}`` a template prints passes through :func:`finalize`, which escapes it for the
syntax of the file being rendered (:mod:`mailoauth_cfg.rendering.escaping`): a template cannot
print a value unescaped, nor pick the escaping of another syntax. The only choices left to a
template are the other safe forms its syntax offers, through filters that check the syntax
again: ``comment`` (text for a line comment), ``code``, ``cell`` and ``command`` (a Markdown
code span, one inside a table row, and a command line of words for a line of a fenced ``sh`` or
``powershell`` block, where runbooks show every command), ``ident`` (a bare
identifier such as a column name: letters, digits and ``_`` only). ``tojson`` turns a value
into JSON *text*, which is then escaped like any other text (a JSON body in a shell script
becomes one shell word).

Shipped templates are trusted and render in a plain environment compiled once per process;
directories a user adds with ``--templates`` render in a sandboxed environment. Escaping is
the same in both.

Secrets are :class:`Secret` objects. Escaping unwraps them and records that the file being
rendered holds a secret, so the writer gives it mode 0600 and ``--diff`` masks it. While a file
is tracked, the escaped text of each printed expression that revealed a secret is put between
:data:`SPAN_OPEN` and :data:`SPAN_CLOSE`; the renderer turns those marks into the file's secret
spans (the manifest's ``secret_spans``, masked by ``render --check --no-secrets``).
"""

from __future__ import annotations

import contextvars
import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rendering import shapes
from mailoauth_cfg.rendering.escaping import SYNTAXES, Escaped, Syntax, plain


class Secret:
    """A resolved secret. ``str()`` is refused: only escaping may unwrap it."""

    __slots__ = ("_value", "path", "reference")

    def __init__(self, value: str, reference: str, path: PathKey = ()) -> None:
        self._value = value
        self.reference = reference
        """``env:NAME``, ``file:PATH`` or ``the config``: where it came from (never the value)."""
        self.path = path
        """Key path of its reference in the config, to locate findings about it."""

    def reveal(self) -> str:
        """The secret value; records that the current output holds a secret."""
        tracker = _TRACKER.get()
        if tracker is not None:
            tracker.secrets.add(self._value)
            tracker.pending = True
        return self._value

    def peek(self) -> str:
        """The value without recording it (for checks made while planning outputs)."""
        return self._value

    def __str__(self) -> str:
        raise RenderError(
            f"a template turned the secret from {self.reference} into text; print it as is "
            "(it is escaped for the file's syntax)"
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
turns them into the manifest's secret spans and removes them (no syntax lets a value hold a
NUL, so no value can forge them)."""


_TRACKER: contextvars.ContextVar[_Tracker | None] = contextvars.ContextVar(
    "mailoauth_cfg_render_tracker", default=None
)
_SYNTAX: contextvars.ContextVar[Syntax | None] = contextvars.ContextVar(
    "mailoauth_cfg_render_syntax", default=None
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


@contextmanager
def output_syntax(syntax: Syntax) -> Iterator[None]:
    """Escape everything printed meanwhile for ``syntax`` (one output file)."""
    token = _SYNTAX.set(syntax)
    try:
        yield
    finally:
        _SYNTAX.reset(token)


def current_syntax() -> Syntax:
    """The syntax of the file being rendered."""
    syntax = _SYNTAX.get()
    if syntax is None:
        raise RenderError("a template was rendered without an output syntax")
    return syntax


def _revealed(value: Any) -> Any:
    """``value`` with every :class:`Secret` inside replaced by its (recorded) text."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, dict):
        return {_revealed(k): _revealed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_revealed(v) for v in value]
    if isinstance(value, str):
        return plain(value)
    return value


def escape(value: Any, syntax: Syntax) -> str:
    """``value`` written in ``syntax`` (the autoescape of every printed expression).

    Raises:
        Unrepresentable: the syntax cannot carry the value.
        RenderError: the template printed something no file should hold as is (an object, a
            boolean or nothing in a syntax without such literals, another syntax's form).
    """
    if type(value) is str:  # the common case first: plain text
        return syntax.escaped("", value, syntax.text)
    if isinstance(value, Undefined):  # `{{ x if y }}` when not y: nothing (a missing name raises)
        return str(value)
    if isinstance(value, Escaped):
        if value.syntax != syntax.name:
            raise RenderError(
                f"a value escaped for {SYNTAXES[value.syntax].label} was printed in a "
                f"{syntax.label} file"
            )
        return plain(value)
    if isinstance(value, Secret):
        return syntax.text(value.reveal(), value)
    if isinstance(value, bool):
        if syntax.booleans is None:
            raise RenderError(f"a template printed a boolean in a {syntax.label} file")
        return syntax.booleans[value]
    if isinstance(value, int):
        return str(int(value))
    if value is None:
        if syntax.none is None:
            raise RenderError(f"a template printed an empty value (None) in a {syntax.label} file")
        return syntax.none
    if isinstance(value, str):
        return syntax.text(plain(value), value)
    if syntax.structured is not None and isinstance(value, dict | list | tuple | float):
        return syntax.structured(_revealed(value), value)
    raise RenderError(f"a template printed a {type(value).__name__} in a {syntax.label} file")


@pass_context
def finalize(context: Context, value: Any) -> str:
    """Jinja's ``finalize``: every printed expression, escaped for the current file.

    Taking the context keeps Jinja from evaluating constant expressions at compile time, when
    no file (hence no syntax) is being rendered.
    """
    del context
    trace = _active_trace()
    if trace is not None and shapes.holds(value):  # a mailbox's own value: escaped per mailbox
        syntax = current_syntax()
        real = shapes.substitution(value)
        return trace.hole(lambda reals: _finalized(real(reals), syntax))
    current = _current_syntax()
    if current is None:
        raise RenderError("a template was rendered without an output syntax")
    return _finalized(value, current)


# every printed expression passes here (some 300,000 in a render of 10,000 mailboxes): the
# context variables are read by their bound methods, and plain text takes the shortest way
_active_trace = shapes.active
_current_syntax = _SYNTAX.get
_current_tracker = _TRACKER.get


def _finalized(value: Any, syntax: Syntax) -> str:
    if type(value) is str:
        text = syntax.memo.get(("", value)) or syntax.escaped("", value, syntax.text)
    else:
        text = escape(value, syntax)
    tracker = _current_tracker()
    if tracker is not None and (
        tracker.pending or (tracker.secrets and _carries(text, tracker.secrets))
    ):
        tracker.pending = False
        return f"{SPAN_OPEN}{text}{SPAN_CLOSE}"
    return text


_SPAN_MIN_LENGTH = 6
"""Shorter secrets are only marked when revealed (as the redaction of messages ignores them)."""


def _carries(text: str, secrets: set[str]) -> bool:
    """Whether ``text`` holds a secret revealed earlier in this file: a value a template built
    from a secret (``{% set body = {...} | tojson %}``) and printed later is marked too."""
    return any(len(s) >= _SPAN_MIN_LENGTH and s in text for s in secrets)


def _deferrable(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as a filter: while a runbook shape is traced, a value holding a mailbox's
    own values is filtered per mailbox, when the shape is filled (:mod:`.shapes`)."""

    @functools.wraps(function)
    def apply(value: Any, *args: Any) -> Any:
        if shapes.active() is not None and (shapes.holds(value) or shapes.holds(args)):
            real_value = shapes.substitution(value)
            real_args = shapes.substitution(args)
            return shapes.Deferred(lambda reals: function(real_value(reals), *real_args(reals)))
        return function(value, *args)

    return apply


def _text_of(value: Any) -> tuple[str, object]:
    if isinstance(value, Secret):
        return value.reveal(), value
    if isinstance(value, str):
        return plain(value), value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), value
    raise RenderError(f"expected text, got a {type(value).__name__}")


def comment_filter(value: Any) -> Escaped:
    """Text for a line comment of the current file (one line; controls made visible)."""
    syntax = current_syntax()
    if isinstance(value, Secret):
        raise RenderError(f"a template put the secret from {value.reference} in a comment")
    text, _ = _text_of(value)
    return Escaped(syntax.comment(text), syntax.name)


def _form(name: str) -> Any:
    def apply(value: Any, *args: Any) -> Escaped:
        syntax = current_syntax()
        form = syntax.forms.get(name)
        if form is None:
            raise RenderError(f"the {name} filter is not available in a {syntax.label} file")
        if name == "command":
            if isinstance(value, str) or not hasattr(value, "__iter__"):
                raise RenderError("the command filter takes a list of words")
            if args and args[0] not in ("sh", "powershell"):
                raise RenderError("the command filter knows the shells sh and powershell")
            words = [word if type(word) is str else _text_of(word)[0] for word in value]
            return Escaped(form(words, *args[:1]), syntax.name)
        if type(value) is str:
            return Escaped(syntax.escaped(name, value, form), syntax.name)
        text, original = _text_of(value)
        return Escaped(form(text, original), syntax.name)

    apply.__name__ = name
    return apply


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident_filter(value: Any) -> Escaped:
    """A bare identifier (column name, keyword): letters, digits and ``_`` only."""
    syntax = current_syntax()
    text, _ = _text_of(value)
    if not _IDENT.fullmatch(text):
        raise RenderError(f"{text[:40]!r} is not an identifier (letters, digits, '_')")
    return Escaped(text, syntax.name)


def tojson_filter(value: Any) -> str:
    """JSON text of ``value`` (one line, keys sorted); printed, it is escaped like any text."""
    return json.dumps(_revealed(value), ensure_ascii=False, sort_keys=True)


FILTERS = {
    name: _deferrable(function)
    for name, function in (
        ("comment", comment_filter),
        ("code", _form("code")),
        ("cell", _form("cell")),
        ("command", _form("command")),
        ("ident", ident_filter),
        ("tojson", tojson_filter),
    )
}


@functools.cache
def packaged_templates() -> Path:
    """``templates/`` of the source tree, or the copy inside the wheel."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_data" / "templates"
    if installed.is_dir():
        return installed
    return package.parent / "templates"


_OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "autoescape": False,
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "finalize": finalize,
    "auto_reload": False,
}


def _configure(env: Environment) -> Environment:
    for name in ("escape", "e", "forceescape", "safe", "urlize", "xmlattr"):
        env.filters.pop(name, None)  # HTML helpers: meaningless (or Markup) here
    env.filters.update(FILTERS)
    return env


@functools.lru_cache(maxsize=4)
def _shipped(root: Path) -> Environment:
    # Not HTML: escaping is per output syntax, in `finalize`.
    env = Environment(loader=FileSystemLoader(str(root)), **_OPTIONS)  # noqa: S701
    return _configure(env)


def make_environment(extra_dirs: list[Path] | None = None) -> Environment:
    """The environment for a render.

    Without ``extra_dirs``: the shipped templates in a plain environment, built (and each
    template compiled) once per process. With them: a sandboxed environment searching
    ``extra_dirs`` first, then the shipped templates.
    """
    if not extra_dirs:
        return _shipped(packaged_templates())
    search = [str(p) for p in extra_dirs] + [str(packaged_templates())]
    return _configure(ImmutableSandboxedEnvironment(loader=FileSystemLoader(search), **_OPTIONS))
