"""Frozen value classes for the facts and catalogues every command builds while it imports.

``@dataclass(frozen=True, slots=True)`` compiles six methods from source text for each class:
about half a millisecond per class, paid at every start-up. The target facts, the provider
catalogues and the plugin descriptions hold some thirty such classes, built once at import and
instantiated a few hundred times at most: compiling their methods was a sixth of what
``validate`` of a small config adds to importing its libraries.

:func:`record` makes the same class (its fields in order, defaults and ``field()`` factories,
keyword or positional construction, value equality and hash, ``repr``, immutability, slots,
pickling) from closures shared by every record: nothing is compiled. It declares the fields as
:mod:`dataclasses` does, so ``dataclasses.fields``, ``replace``, ``asdict`` and
``is_dataclass`` treat a record as the frozen dataclass it stands for. Construction is a little
slower than a compiled ``__init__``: classes created in hot loops (findings, locations) stay
dataclasses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_MISSING: Any = dataclasses.MISSING
_FIELD: Any = dataclasses._FIELD  # type: ignore[attr-defined]  # the marker of a plain field
_set = object.__setattr__


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[T]) -> type[T]:
    """The frozen, slotted value class of ``cls``'s annotated fields (see the module)."""
    if type(cls) is not type:
        raise TypeError(f"{cls.__name__}: a record is a plain class (no metaclass)")
    own = cls.__dict__
    annotations: dict[str, Any] = dict(own.get("__annotations__", {}))
    for base in cls.__mro__[1:-1]:
        if "__dataclass_fields__" in base.__dict__ or "__slots__" not in base.__dict__:
            raise TypeError(f"{cls.__name__}: a record's bases hold no field and no __dict__")
    fields: dict[str, dataclasses.Field[Any]] = {}
    for name, annotation in annotations.items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar", "InitVar")):
            raise TypeError(f"{cls.__name__}.{name}: a record has no class or init-only field")
        value = own.get(name, _MISSING)
        spec: Any = (
            value if isinstance(value, dataclasses.Field) else dataclasses.field(default=value)
        )
        spec.name = name
        spec.type = annotation
        spec._field_type = _FIELD
        fields[name] = spec
    names = tuple(fields)
    defaults = {n: f.default for n, f in fields.items() if f.default is not _MISSING}
    factories: dict[str, Callable[[], Any]] = {
        n: f.default_factory  # type: ignore[misc]  # MISSING is filtered out
        for n, f in fields.items()
        if f.default_factory is not _MISSING
    }
    ordered = False
    for spec in fields.values():  # as dataclasses: no field without default after one with
        has_default = spec.name in defaults or spec.name in factories
        if ordered and not has_default:
            raise TypeError(f"non-default argument {spec.name!r} follows default argument")
        ordered = ordered or has_default
    shown = tuple(n for n, f in fields.items() if f.repr)
    compared = tuple(n for n, f in fields.items() if f.compare)
    title = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(
                f"{title}.__init__() takes {len(names) + 1} positional arguments "
                f"but {len(args) + 1} were given"
            )
        for name, value in zip(names, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{title}.__init__() got multiple values for argument {name!r}")
            _set(self, name, value)
        for name in names[len(args) :]:
            if name in kwargs:
                _set(self, name, kwargs.pop(name))
            elif name in defaults:
                _set(self, name, defaults[name])
            elif name in factories:
                _set(self, name, factories[name]())
            else:
                raise TypeError(f"{title}.__init__() missing required argument: {name!r}")
        if kwargs:
            unexpected = next(iter(kwargs))
            raise TypeError(f"{title}.__init__() got an unexpected keyword argument {unexpected!r}")

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({inner})"

    def values(self: Any) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in compared)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return values(self) == values(other)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self: Any, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=True):
            _set(self, name, value)

    namespace = {k: v for k, v in own.items() if k not in fields}
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    for method in (__init__, __repr__, __eq__, __hash__, __setattr__, __delattr__):
        method.__qualname__ = f"{title}.{method.__name__}"
    namespace.update(
        __slots__=names,
        __init__=__init__,
        __repr__=__repr__,
        __eq__=__eq__,
        __hash__=__hash__,
        __setattr__=__setattr__,
        __delattr__=__delattr__,
        __getstate__=__getstate__,
        __setstate__=__setstate__,
        __match_args__=names,
        __dataclass_fields__=fields,
    )
    made: type[T] = type(cls.__name__, cls.__bases__, namespace)
    return made
