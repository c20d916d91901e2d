"""Character classes shared by the schema (what a value may hold) and the escaping functions
(what an output syntax can carry): control characters, line breaks, bidirectional controls.

Each class is also a compiled regular expression: values are scanned once, in C, instead of one
Python call per character (tens of millions of characters in a 10,000-mailbox render). A test
checks every code point against the definitions by Unicode category.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional embeddings, overrides and isolates: they reorder what a human sees (Trojan
Source), so no value to be read holds them. The marks (U+200E, U+200F, U+061C) stay: right-to-
left text uses them and they move nothing around."""

CONTROL_CLASS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
"""The body of a regular expression class of :func:`is_control` characters: categories Cc
(fixed by Unicode: C0, DEL and C1) and Zl, Zp (U+2028, U+2029)."""
BIDI_CLASS = "\u202a-\u202e\u2066-\u2069"
"""The body of a regular expression class of :data:`BIDI_CONTROLS`."""

CONTROL_RE = re.compile(f"[{CONTROL_CLASS}]")
"""Finds a control character (:func:`is_control`)."""
BIDI_RE = re.compile(f"[{BIDI_CLASS}]")
"""Finds a bidirectional control (:data:`BIDI_CONTROLS`)."""
UNSAFE_RE = re.compile(f"[{CONTROL_CLASS}{BIDI_CLASS}]")
"""Finds a character that :func:`is_unsafe_in_text`."""

_NAMES = {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\x00": "NUL", " ": "space"}


def is_control(char: str) -> bool:
    """C0/C1 controls (NUL, tab, line feed...), DEL and the Unicode line/paragraph separators."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def is_unsafe_in_text(char: str) -> bool:
    """A control character or a bidirectional control: no one-line text value holds them."""
    return is_control(char) or char in BIDI_CONTROLS


def first_match(pattern: re.Pattern[str], text: str) -> str | None:
    """The first character of ``text`` that ``pattern`` (a one-character class) finds."""
    found = pattern.search(text)
    return None if found is None else found.group()


def first_unsafe(text: str) -> str | None:
    """The first character of ``text`` that :func:`is_unsafe_in_text`, if any."""
    return first_match(UNSAFE_RE, text)


def describe_char(char: str) -> str:
    """``U+000A (line feed)``: a character named for a message (never the text around it)."""
    name = _NAMES.get(char) or unicodedata.name(char, "").lower()
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")
