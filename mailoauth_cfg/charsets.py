"""Character classes shared by the schema (what a value may hold) and the escaping functions
(what an output syntax can carry): control characters, line breaks, bidirectional controls."""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional embeddings, overrides and isolates: they reorder what a human sees (Trojan
Source), so no value to be read holds them. The marks (U+200E, U+200F, U+061C) stay: right-to-
left text uses them and they move nothing around."""

_NAMES = {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\x00": "NUL", " ": "space"}


def is_control(char: str) -> bool:
    """C0/C1 controls (NUL, tab, line feed...), DEL and the Unicode line/paragraph separators."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def is_unsafe_in_text(char: str) -> bool:
    """A control character or a bidirectional control: no one-line text value holds them."""
    return is_control(char) or char in BIDI_CONTROLS


def first_unsafe(text: str) -> str | None:
    """The first character of ``text`` that :func:`is_unsafe_in_text`, if any."""
    return next((c for c in text if is_unsafe_in_text(c)), None)


def describe_char(char: str) -> str:
    """``U+000A (line feed)``: a character named for a message (never the text around it)."""
    name = _NAMES.get(char) or unicodedata.name(char, "").lower()
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")
