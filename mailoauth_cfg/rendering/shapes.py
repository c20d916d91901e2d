"""One render per runbook *shape*, specialised per mailbox (byte for byte what a render gives).

A target renders one runbook per mailbox from one template and one shared context; only the
mailbox's own values differ (``user``, ``sign_in``). Rendering the template ten thousand times
repeats the same work ten thousand times. Instead, the template is rendered once with each own
value standing for itself (a *trace*), and the result is kept as literal chunks and *holes*:

* A text value becomes a :class:`Slot`: a ``str`` whose characters are a token (with a NUL, so
  no value can forge it). Printed, or given to an escaping filter, it leaves a hole: the
  escaping is done later, for each mailbox, on the mailbox's real value, by the very function
  the render would have called.
* Anything else done with it (compared, tested, measured, hashed, turned into text, sliced,
  used as a key...) makes it *concrete*: the operation runs on the real value and the value
  becomes a fact of the shape. An object (the ``User``) is a :class:`_View` whose attributes
  are slots or, when not text, facts.

A trace is reused for another mailbox only when the mailbox has the same value for every fact
(so every choice the template made is the same); its holes are filled with its own values.
Whatever cannot be traced (a secret revealed, an object printed as a whole, a token left
outside a hole, any error) renders that output in full, as without shapes; so does every
error met while filling a hole (an unrepresentable mailbox address is reported by the full
render, exactly as it would be). Each group's last reused output is rendered in full as well
and compared: a template doing something the trace cannot see (reading a slot's characters in
C, say) turns the shape off for the whole group.
"""

from __future__ import annotations

import contextvars
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel

TOKEN_START = "\x00\x06"
"""Starts the text of a slot. No output syntax carries a NUL, so no value holds a token."""
_TOKEN_END = "\x05"
_TOKEN_RE = re.compile("\x00\x06([0-9]+)\x05")
HOLE_START = "\x00\x07"
"""Starts a hole in a traced text (``HOLE_START<n>HOLE_END``)."""
_HOLE_END = "\x04"
_HOLE_RE = re.compile("\x00\x07([0-9]+)\x04")

Path = tuple[str, ...]
"""Where an own value comes from: ``("user", "email")``, ``("sign_in",)``."""


class NotSpecialisable(Exception):
    """Internal: this output cannot be traced; it is rendered in full."""


class Trace:
    """What one traced render saw: its slots, the facts it depended on and its holes."""

    def __init__(self, own: Mapping[str, Any]) -> None:
        self.own = own
        self.slot_paths: list[Path] = []
        self._slots: dict[Path, Slot] = {}
        self.facts: dict[Path, Any] = {}
        self.holes: list[Filler] = []

    # -- values -------------------------------------------------------------------------------

    def wrap(self, path: Path, value: Any) -> Any:
        """``value`` (the real one, at ``path``) as the template sees it during the trace."""
        if isinstance(value, str):
            slot = self._slots.get(path)
            if slot is None:
                slot = Slot(self, path, len(self.slot_paths), value)
                self._slots[path] = slot
                self.slot_paths.append(path)
            return slot
        if isinstance(value, BaseModel):
            return _View(self, path, value)
        self.fact(path, value)
        return value

    def fact(self, path: Path, value: Any) -> None:
        """The shape depends on the value at ``path`` being ``value``."""
        self.facts.setdefault(path, value)

    # -- holes -------------------------------------------------------------------------------

    def hole(self, fill: Filler) -> str:
        """A hole computed by ``fill`` from the real values of the slots (in slot order)."""
        self.holes.append(fill)
        return f"{HOLE_START}{len(self.holes) - 1}{_HOLE_END}"


_TRACE: contextvars.ContextVar[Trace | None] = contextvars.ContextVar(
    "mailoauth_cfg_render_trace", default=None
)


active: Callable[[], Trace | None] = _TRACE.get
"""The trace being recorded, if any (checked by ``finalize`` and the escaping filters, for every
printed expression: the context variable's own method, with no Python call around it)."""


def holds(value: Any) -> bool:
    """Whether ``value`` carries a slot, a deferred form or a token (so it must be a hole)."""
    if isinstance(value, Slot | Deferred):
        return True
    if isinstance(value, _View):
        raise NotSpecialisable("an own object printed or escaped as a whole")
    if isinstance(value, str):
        return TOKEN_START in value
    if isinstance(value, list | tuple):
        return any(holds(v) for v in value)
    if isinstance(value, dict):
        return any(holds(k) or holds(v) for k, v in value.items())
    return False


Filler = Callable[[list[str]], Any]
"""Computes a value from the real values of the slots (in slot order)."""


def substitution(value: Any) -> Filler:
    """A function giving ``value`` with every slot, deferred form and token replaced by the
    real values (worked out once, when traced; called for each mailbox)."""
    if isinstance(value, Slot):
        return operator.itemgetter(value._slot_index)
    if isinstance(value, Deferred):
        return value.compute
    if isinstance(value, str):
        if TOKEN_START not in value:
            return lambda reals: value
        text = str.__str__(value)
        return lambda reals: _TOKEN_RE.sub(lambda m: reals[int(m.group(1))], text)
    if isinstance(value, list | tuple):
        kind = type(value)
        items = [substitution(v) for v in value]
        if kind is list:
            return lambda reals: [item(reals) for item in items]
        return lambda reals: kind(item(reals) for item in items)
    if isinstance(value, dict):
        pairs = [(substitution(k), substitution(v)) for k, v in value.items()]
        return lambda reals: {k(reals): v(reals) for k, v in pairs}
    return lambda reals: value


class Deferred:
    """A filter's result on a value holding slots: computed per mailbox, when filled."""

    __slots__ = ("compute",)

    def __init__(self, compute: Filler) -> None:
        self.compute = compute

    def __str__(self) -> str:
        raise NotSpecialisable("a filtered own value used as text")

    __repr__ = __str__


def _concrete(slot: Slot) -> str:
    """The slot's real value, which the shape now depends on (a fact)."""
    slot._slot_trace.fact(slot._slot_path, slot._slot_value)
    return slot._slot_value


class Slot(str):
    """An own text value during a trace: a token that only printing and escaping keep."""

    # no public attribute: every public name is one of str's (``index`` included)
    __slots__ = ("_slot_index", "_slot_path", "_slot_trace", "_slot_value")
    _slot_index: int
    _slot_path: Path
    _slot_trace: Trace
    _slot_value: str

    def __new__(cls, trace: Trace, path: Path, index: int, value: str) -> Slot:
        obj = super().__new__(cls, f"{TOKEN_START}{index}{_TOKEN_END}")
        obj._slot_trace = trace
        obj._slot_path = path
        obj._slot_value = value
        obj._slot_index = index
        return obj

    def __str__(self) -> str:
        return _concrete(self)

    def __repr__(self) -> str:
        return repr(_concrete(self))

    def __bool__(self) -> bool:
        return bool(_concrete(self))


def _concretising(name: str) -> Callable[..., Any]:
    def method(self: Slot, *args: Any, **kwargs: Any) -> Any:
        return getattr(_concrete(self), name)(*args, **kwargs)

    method.__name__ = name
    return method


_KEPT = {
    "__new__",
    "__init__",
    "__getattribute__",
    "__setattr__",
    "__delattr__",
    "__init_subclass__",
    "__subclasshook__",
    "__class__",
    "__doc__",
    "__str__",
    "__repr__",
    "__bool__",
    "__slots__",
}
for _name in dir(str):
    if _name not in _KEPT and callable(getattr(str, _name)):
        setattr(Slot, _name, _concretising(_name))
del _name


class _View:
    """An own object during a trace: its text attributes are slots, the others facts."""

    __slots__ = ("_object", "_path", "_trace")

    def __init__(self, trace: Trace, path: Path, obj: Any) -> None:
        self._trace = trace
        self._path = path
        self._object = obj

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._object, name)
        if callable(value):
            raise NotSpecialisable(f"a method of an own object called ({name})")
        return self._trace.wrap((*self._path, name), value)

    def _opaque(self, *args: Any, **kwargs: Any) -> Any:
        raise NotSpecialisable("an own object used as a whole")

    __getitem__ = __iter__ = __len__ = __contains__ = __hash__ = _opaque
    __eq__ = __ne__ = __str__ = __repr__ = __bool__ = __format__ = _opaque


def own_value(own: Mapping[str, Any], path: Path) -> Any:
    """The real value at ``path`` among a mailbox's own values."""
    value = own[path[0]]
    for name in path[1:]:
        value = getattr(value, name)
    return value


@contextmanager
def tracing(own: Mapping[str, Any]) -> Iterator[tuple[Trace, dict[str, Any]]]:
    """Record a trace; yields it and the own values as the template sees them."""
    trace = Trace(own)
    token = _TRACE.set(trace)
    try:
        yield trace, {key: trace.wrap((key,), value) for key, value in own.items()}
    finally:
        _TRACE.reset(token)


class Shape:
    """A traced render: literal chunks between holes, and the facts that must hold."""

    def __init__(self, trace: Trace, text: str) -> None:
        pieces = _HOLE_RE.split(text)
        self.chunks = pieces[0::2]
        order = [int(n) for n in pieces[1::2]]
        if order != list(range(len(trace.holes))) or any(
            TOKEN_START in chunk or HOLE_START in chunk for chunk in self.chunks
        ):
            raise NotSpecialisable("a token or a hole outside its place")
        self.holes = trace.holes
        self.slot_paths = tuple(trace.slot_paths)
        self.fact_paths = tuple(trace.facts)
        self.fact_values = tuple(trace.facts.values())

    def key(self, own: Mapping[str, Any]) -> tuple[Any, ...]:
        """The facts' values for a mailbox (equal to :attr:`fact_values`: the shape applies)."""
        return tuple(own_value(own, path) for path in self.fact_paths)

    def fill(self, own: Mapping[str, Any]) -> str:
        """The text for a mailbox whose :meth:`key` matches (any error propagates)."""
        reals = [own_value(own, path) for path in self.slot_paths]
        parts = [self.chunks[0]]
        for fill, chunk in zip(self.holes, self.chunks[1:], strict=True):
            parts.append(fill(reals))
            parts.append(chunk)
        return "".join(parts)
