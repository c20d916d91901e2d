"""The character classes are compiled patterns; each finds exactly the characters its definition
by Unicode category names, for every code point of the running Python's Unicode."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pytest

from mailoauth_cfg import charsets
from mailoauth_cfg.rendering import escaping

EVERY_CHARACTER = [chr(code) for code in range(0x110000)]


def _found(pattern: re.Pattern[str]) -> set[str]:
    return set(pattern.findall("".join(EVERY_CHARACTER)))


@pytest.mark.parametrize(
    ("pattern", "definition"),
    [
        (charsets.CONTROL_RE, lambda c: unicodedata.category(c) in ("Cc", "Zl", "Zp")),
        (charsets.BIDI_RE, lambda c: c in charsets.BIDI_CONTROLS),
        (charsets.UNSAFE_RE, charsets.is_unsafe_in_text),
        (escaping._SQL_CONTROL_RE, lambda c: charsets.is_control(c) and c not in "\n\t"),
        (escaping._POSTFIX_SPLIT_RE, lambda c: c.isspace() or c in ",{}"),
        (escaping._POSTFIX_MAP_SPLIT_RE, lambda c: c.isspace() or c == '"'),
        (escaping._COMMENT_HIDDEN_RE, lambda c: charsets.is_unsafe_in_text(c) or c == "\ufeff"),
    ],
    ids=["control", "bidi", "unsafe", "sql-control", "postfix-split", "map-split", "comment"],
)
def test_each_class_finds_exactly_its_characters(
    pattern: re.Pattern[str], definition: Callable[[str], bool]
) -> None:
    assert _found(pattern) == {c for c in EVERY_CHARACTER if definition(c)}


def test_the_first_unsafe_character_is_named() -> None:
    assert charsets.first_unsafe("ok\u202eevil\n") == "\u202e"
    assert charsets.first_unsafe("plain text") is None
