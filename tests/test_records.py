"""A record behaves as the frozen, slotted dataclass it replaces: same construction, defaults,
equality, hash, repr, immutability, pickling, and the dataclasses functions work on it."""

from __future__ import annotations

import copy
import dataclasses
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
