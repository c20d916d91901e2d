"""A record behaves as the frozen, slotted dataclass it replaces: same construction, defaults,
equality, hash, repr, immutability, pickling, and the dataclasses functions work on it."""

from __future__ import annotations

import copy
import dataclasses
import functools
import pickle
from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType

import pytest

from mailoauth_cfg.records import record


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@record
class Pattern:
    """A picklable record (module level)."""

    template: str | None
    reason: str
    required: bool = True
    defaults: Mapping[str, str] = field(default_factory=_empty)
    note: str = field(default="", compare=False, repr=False)

    def label(self) -> str:
        return f"{self.template}:{self.reason}"


@dataclasses.dataclass(frozen=True, slots=True)
class PatternDataclass:
    template: str | None
    reason: str
    required: bool = True
    defaults: Mapping[str, str] = field(default_factory=_empty)
    note: str = field(default="", compare=False, repr=False)


def test_construction_by_position_keyword_and_default() -> None:
    a = Pattern("/cb", "web")
    b = Pattern(template="/cb", reason="web", required=True)
    assert a == b
    assert (a.template, a.reason, a.required, dict(a.defaults), a.note) == (
        "/cb",
        "web",
        True,
        {},
        "",
    )
    assert Pattern("/cb", "web", False).required is False
    assert a.label() == "/cb:web"


def test_each_instance_gets_its_own_factory_default() -> None:
    calls: list[int] = []

    @record
    class Holder:
        items: list[int] = field(default_factory=lambda: calls.append(1) or [])

    first, second = Holder(), Holder()
    assert first.items is not second.items
    assert len(calls) == 2
    assert Holder(items=[3]).items == [3]
    assert len(calls) == 2, "no factory call when the value is given"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {"reason": "x"}, "missing required argument: 'template'"),
        (("a", "b", True, {}, "n", "extra"), {}, "takes 6 positional arguments but 7 were given"),
        (("a",), {"template": "b", "reason": "c"}, "multiple values for argument 'template'"),
        (("a", "b"), {"colour": "red"}, "unexpected keyword argument 'colour'"),
    ],
)
def test_wrong_calls_are_refused_as_a_dataclass_refuses_them(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Pattern(*args, **kwargs)  # type: ignore[arg-type]


def test_repr_equality_and_hash_match_the_dataclass() -> None:
    ours = Pattern("/cb", "web", note="hidden")
    theirs = PatternDataclass("/cb", "web", note="hidden")
    assert repr(ours).replace("Pattern(", "") == repr(theirs).replace("PatternDataclass(", "")
    assert repr(ours).startswith("Pattern(template='/cb'")
    assert "hidden" not in repr(ours)
    assert ours == Pattern("/cb", "web", note="other"), "a field with compare=False is ignored"
    assert ours != Pattern("/cb", "desktop")
    assert ours != theirs
    for unhashable in (ours, theirs):  # a mapping proxy field: neither hashes
        with pytest.raises(TypeError, match="unhashable"):
            hash(unhashable)

    @record
    class Point:
        x: int
        label: str = field(default="", compare=False)

    assert hash(Point(1, "a")) == hash(Point(1, "b")) == hash((1,))
    assert len({Point(1), Point(1, "other"), Point(2)}) == 2


def test_a_record_is_frozen_and_slotted() -> None:
    value = Pattern("/cb", "web")
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.reason = "desktop"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del value.reason  # type: ignore[misc]
    assert not hasattr(value, "__dict__")
    assert Pattern.__slots__ == ("template", "reason", "required", "defaults", "note")
    assert Pattern.__match_args__ == Pattern.__slots__


def test_the_dataclasses_functions_read_a_record() -> None:
    value = Pattern("/cb", "web", note="n")
    assert dataclasses.is_dataclass(value)
    assert [f.name for f in dataclasses.fields(value)] == list(Pattern.__slots__)
    changed = dataclasses.replace(value, reason="desktop")
    assert (changed.reason, changed.template, changed.note) == ("desktop", "/cb", "n")
    assert dataclasses.asdict(Pattern("/cb", "web", defaults={"a": "b"})) == {
        "template": "/cb",
        "reason": "web",
        "required": True,
        "defaults": {"a": "b"},
        "note": "",
    }


def test_pickle_and_copy_round_trip() -> None:
    value = Pattern("/cb", "web", defaults={"port": "8080"}, note="n")
    pickled = pickle.loads(pickle.dumps(value))  # noqa: S301 - our own bytes, just made
    for again in (pickled, copy.copy(value), copy.deepcopy(value)):
        assert again == value
        assert again.note == "n"
        assert type(again) is Pattern


def test_pattern_matching_reads_the_fields_in_order() -> None:
    match Pattern("/cb", "web"):
        case Pattern(template, "web"):
            assert template == "/cb"
        case _:
            pytest.fail("the record did not match by position")


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Bad:
            a: int = 0
            b: int


def test_class_variables_and_bases_with_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="no class or init-only field"):

        @record
        class WithClassVar:
            count: ClassVar[int] = 0  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(TypeError, match="bases hold no field"):

        @record
        class Child(Pattern):
            extra: int = 0


@record(hot=True)
class HotPattern:
    """The same fields, with a compiled ``__init__``."""

    template: str | None
    reason: str
    required: bool = True
    defaults: Mapping[str, str] = field(default_factory=_empty)
    note: str = field(default="", compare=False, repr=False)


def test_a_hot_record_builds_what_a_shared_init_builds() -> None:
    for args, kwargs in [
        (("/cb", "web"), {}),
        ((), {"template": "/cb", "reason": "web", "note": "n"}),
        (("/cb",), {"reason": "web", "required": False, "defaults": {"a": "b"}}),
    ]:
        hot, shared = HotPattern(*args, **kwargs), Pattern(*args, **kwargs)  # type: ignore[arg-type]
        names = [f.name for f in dataclasses.fields(shared)]
        assert [getattr(hot, n) for n in names] == [getattr(shared, n) for n in names]
        assert repr(hot)[3:] == repr(shared)
    for bad in [((), {"reason": "x"}), (("a", "b"), {"colour": "red"}), (("a",) * 6, {})]:
        with pytest.raises(TypeError):
            HotPattern(*bad[0], **bad[1])  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        HotPattern("/cb", "web").reason = "x"  # type: ignore[misc]


def test_a_hot_record_calls_its_factory_per_instance() -> None:
    @record(hot=True)
    class Bag:
        items: list[int] = field(default_factory=list)

    first, second = Bag(), Bag()
    first.items.append(1)
    assert (first.items, second.items, Bag([2]).items) == ([1], [], [2])


@record(frozen=False)
class Counter:
    """A mutable, slotted record."""

    name: str
    seen: list[str] = field(default_factory=list)


def test_a_mutable_record_can_be_changed_and_is_unhashable_like_a_dataclass() -> None:
    counter = Counter("a")
    counter.name = "b"
    counter.seen.append("x")
    assert counter == Counter("b", ["x"])
    with pytest.raises(TypeError, match="unhashable"):
        hash(counter)
    with pytest.raises(AttributeError):
        counter.colour = "red"  # type: ignore[attr-defined]  # slotted: no other attribute
    pickled = pickle.loads(pickle.dumps(counter))  # noqa: S301 - our own bytes, just made
    assert pickled == counter


@record(slots=False)
class Plan:
    """A frozen record with a ``__dict__``: cached properties work on it."""

    name: str
    calls: list[int] = field(default_factory=list, compare=False)

    @functools.cached_property
    def upper(self) -> str:
        self.calls.append(1)
        return self.name.upper()


def test_a_record_without_slots_keeps_cached_properties_and_stays_frozen() -> None:
    plan = Plan("erp")
    assert (plan.upper, plan.upper, plan.calls) == ("ERP", "ERP", [1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.name = "crm"  # type: ignore[misc]
    assert hash(plan) == hash(Plan("erp"))
    assert plan == Plan("erp")
    assert pickle.loads(pickle.dumps(plan)).name == "erp"  # noqa: S301 - our own bytes


def test_field_options_a_record_does_not_honour_are_refused() -> None:
    with pytest.raises(TypeError, match="take repr and compare only"):

        @record
        class KeywordOnly:
            a: int = field(default=0, kw_only=True)


def test_what_a_rebuilt_class_would_lose_is_refused() -> None:
    """A record is a new class made from the one written: a method of its own that the record
    also makes, ``super()`` (which would name the class written), a shared mutable default or
    a class without fields would silently behave otherwise; each is refused instead."""
    with pytest.raises(TypeError, match="makes this method itself"):

        @record
        class OwnRepr:
            a: int

            def __repr__(self) -> str:
                return "mine"

    with pytest.raises(TypeError, match="makes this method itself"):

        @record
        class PostInit:
            a: int

            def __post_init__(self) -> None:
                pass

    with pytest.raises(TypeError, match="use no super"):

        @record(slots=False)
        class UsesSuper:
            a: int

            @functools.cached_property
            def text(self) -> str:
                return super().__str__()

    with pytest.raises(ValueError, match="mutable default <class 'list'> is not allowed"):

        @record
        class SharedList:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="at least one field"):

        @record
        class Empty:
            pass


def test_a_record_keeps_its_qualified_name() -> None:
    @record
    class Inner:
        a: int

    assert Inner.__qualname__.endswith("test_a_record_keeps_its_qualified_name.<locals>.Inner")
    assert repr(Inner(1)) == f"{Inner.__qualname__}(a=1)"  # as a dataclass's repr
    assert Pattern.__qualname__ == "Pattern"
    assert Pattern.__module__ == __name__
    assert Pattern.__doc__ == "A picklable record (module level)."
