"""Value classes made without compiling their methods: the dataclasses of the start-up path.

``@dataclass(frozen=True, slots=True)`` compiles six methods from source text for each class:
about half a millisecond per class, paid at every start-up. The target facts, the provider
catalogues, the plugin descriptions, the findings and the plans hold some fifty such classes,
built at import: compiling their methods was a fifth of what ``validate`` of a small config adds
to importing its libraries.

:func:`record` makes the same class (its fields in order, defaults and ``field()`` factories,
``repr``/``compare`` per field, keyword or positional construction, value equality and, when
frozen, hash and immutability; slots; pickling) from closures shared by every record: nothing
is compiled. It declares the fields as :mod:`dataclasses` does, so ``dataclasses.fields``,
``replace``, ``asdict`` and ``is_dataclass`` treat a record as the dataclass it stands for.

A shared ``__init__`` costs about a microsecond more per instance. A class instantiated in
loops (findings, locations, plans: thousands per large config) is declared ``hot``: its
``__init__`` alone is compiled, a tenth of a millisecond at import, as fast as a dataclass's.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_MISSING: Any = dataclasses.MISSING
_FIELD: Any = dataclasses._FIELD  # type: ignore[attr-defined]  # the marker of a plain field
_set = object.__setattr__


class _Factory:
    """The default of a parameter whose field has a ``default_factory`` (compiled inits)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(
    *, frozen: bool = True, slots: bool = True, hot: bool = False
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(
    cls: type[T] | None = None, /, *, frozen: bool = True, slots: bool = True, hot: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """The value class of ``cls``'s annotated fields (see the module): frozen and slotted
    unless told otherwise, with a compiled ``__init__`` when ``hot``."""

    def make(cls: type[T]) -> type[T]:
        return _make(cls, frozen=frozen, slots=slots, hot=hot)

    return make if cls is None else make(cls)


_MADE = frozenset(
    {"__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__post_init__"}
)
"""Methods a record makes itself: a class that writes its own is refused, not overwritten."""


def _refuse(cls: type[Any]) -> None:
    """Refuse what a rebuilt class would silently lose or change (see :func:`_make`)."""
    if type(cls) is not type:
        raise TypeError(f"{cls.__name__}: a record is a plain class (no metaclass)")
    for base in cls.__mro__[1:-1]:
        if "__dataclass_fields__" in base.__dict__ or "__slots__" not in base.__dict__:
            raise TypeError(f"{cls.__name__}: a record's bases hold no field and no __dict__")
    for name, value in cls.__dict__.items():
        if name in _MADE:
            raise TypeError(f"{cls.__name__}.{name}: a record makes this method itself")
        # a function, or what classmethod, staticmethod, property and cached_property wrap
        for function in (value, *(getattr(value, a, None) for a in ("__func__", "fget", "func"))):
            code = getattr(function, "__code__", None)
            if code is not None and "__class__" in code.co_freevars:
                # super() or __class__ would name the class the record replaces
                raise TypeError(f"{cls.__name__}.{name}: a record's methods use no super()")


def _fields(cls: type[Any]) -> dict[str, dataclasses.Field[Any]]:
    _refuse(cls)
    own = cls.__dict__
    fields: dict[str, dataclasses.Field[Any]] = {}
    ordered = False
    # the class's own annotations, however they are stored (evaluated lazily from Python 3.14)
    annotations = inspect.get_annotations(cls)
    if not annotations:
        raise TypeError(f"{cls.__name__}: a record declares at least one field")
    for name, annotation in annotations.items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar", "InitVar")):
            raise TypeError(f"{cls.__name__}.{name}: a record has no class or init-only field")
        value = own.get(name, _MISSING)
        if not isinstance(value, dataclasses.Field) and type(value).__hash__ is None:
            # as dataclasses: an unhashable default (a list, a dict) would be shared by all
            raise ValueError(
                f"{cls.__name__}.{name}: mutable default {type(value)} is not allowed: "
                "use default_factory"
            )
        spec: Any = (
            value if isinstance(value, dataclasses.Field) else dataclasses.field(default=value)
        )
        if spec.hash is not None or not spec.init or spec.kw_only not in (_MISSING, False):
            raise TypeError(f"{cls.__name__}.{name}: a record's fields take repr and compare only")
        has_default = spec.default is not _MISSING or spec.default_factory is not _MISSING
        if ordered and not has_default:  # as dataclasses
            raise TypeError(f"non-default argument {name!r} follows default argument")
        ordered = ordered or has_default
        spec.name = name
        spec.type = annotation
        spec._field_type = _FIELD
        fields[name] = spec
    return fields


def _shared_init(title: str, fields: dict[str, dataclasses.Field[Any]]) -> Callable[..., None]:
    names = tuple(fields)
    defaults = {n: f.default for n, f in fields.items() if f.default is not _MISSING}
    factories: dict[str, Callable[[], Any]] = {
        n: f.default_factory  # type: ignore[misc]  # MISSING is filtered out
        for n, f in fields.items()
        if f.default_factory is not _MISSING
    }

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

    return __init__


def _compiled_init(fields: dict[str, dataclasses.Field[Any]]) -> Callable[..., None]:
    """``__init__`` compiled for these fields, as dataclasses writes it."""
    values: dict[str, Any] = {"_set": _set, "_FACTORY": _FACTORY}
    parameters: list[str] = []
    body: list[str] = []
    for index, (name, spec) in enumerate(fields.items()):
        if spec.default is not _MISSING:
            values[f"_d{index}"] = spec.default
            parameters.append(f"{name}=_d{index}")
            body.append(f"    _set(self, {name!r}, {name})")
        elif spec.default_factory is not _MISSING:
            values[f"_f{index}"] = spec.default_factory
            parameters.append(f"{name}=_FACTORY")
            body.append(f"    _set(self, {name!r}, _f{index}() if {name} is _FACTORY else {name})")
        else:
            parameters.append(name)
            body.append(f"    _set(self, {name!r}, {name})")
    source = "\n".join([f"def __init__(self, {', '.join(parameters)}):", *(body or ["    pass"])])
    namespace: dict[str, Any] = {}
    exec(source, values, namespace)  # noqa: S102 - text made above from field names only
    made: Callable[..., None] = namespace["__init__"]
    return made


def _make(cls: type[T], *, frozen: bool, slots: bool, hot: bool) -> type[T]:
    fields = _fields(cls)
    names = tuple(fields)
    shown = tuple(n for n, f in fields.items() if f.repr)
    compared = tuple(n for n, f in fields.items() if f.compare)
    title = cls.__qualname__

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

    methods: dict[str, Any] = {
        "__init__": _compiled_init(fields) if hot else _shared_init(title, fields),
        "__repr__": __repr__,
        "__eq__": __eq__,
        # as dataclasses: a frozen record hashes its compared fields, a mutable one is unhashable
        "__hash__": __hash__ if frozen else None,
    }
    if frozen:
        methods.update(__setattr__=__setattr__, __delattr__=__delattr__)
    if slots:
        methods.update(__slots__=names, __getstate__=__getstate__, __setstate__=__setstate__)
    for name, method in methods.items():
        if callable(method):
            method.__qualname__ = f"{title}.{name}"
    namespace = {k: v for k, v in cls.__dict__.items() if k not in fields}
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace.update(methods, __match_args__=names, __dataclass_fields__=fields, __qualname__=title)
    made: type[T] = type(cls.__name__, cls.__bases__, namespace)
    return made
