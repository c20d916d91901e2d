"""Hypothesis strategies for fuzzing the loader and the models.

Three families of input, all ending as the bytes of one config file:

* :func:`yaml_texts`: random text over YAML's significant characters (indicators, anchors,
  tags, indentation, quotes) and awkward Unicode, plus raw binary.
* :func:`mutated_documents`: documents built from the model itself (every section, object
  type and field of :class:`~mailoauth_cfg.model.MailConfig`, with plausible values and names
  that cross-reference each other), then mutated as a tree (types swapped, keys dropped,
  duplicated or misspelt, Unicode injected, huge numbers, deep nesting, anchors, aliases and
  merge keys, tags, raw YAML snippets), emitted by a small emitter of our own (block and flow
  styles; PyYAML's emitter cannot write duplicate keys or arbitrary aliases), then mutated as
  bytes (truncated at a random offset, binary inserted, lines dropped or duplicated, tabs,
  line endings, BOMs).
* :func:`mutated_seeds`: the shipped example, the rule cases and the fuzz corpus, mutated as
  bytes.

The model walk reads field annotations, so a new field or target type is fuzzed without
touching this file.
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel

from mailoauth_cfg.model import MailConfig

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

Draw = Callable[[st.SearchStrategy[Any]], Any]

# --- plausible values -----------------------------------------------------------------------

PROVIDER_NAMES = ("contoso", "acme", "gmail")
APP_NAMES = ("erp-mail", "relay-mail", "gmail-cli", "daemon")
TARGET_NAMES = ("erp", "relay", "cron", "portal")
EMAILS = (
    "erp@contoso.com",
    "noreply@contoso.com",
    "ops@acme.example",
    "sales@acme.example",
    "dave@gmail.com",
)
GUIDS = (
    "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d",
    "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
    "00000000-0000-0000-0000-000000000000",
)
GOOGLE_CLIENT = "412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com"
PERMISSIONS = (
    "offline_access",
    "SMTP.Send",
    "IMAP.AccessAsUser.All",
    "POP.AccessAsUser.All",
    "Mail.Send",
    "User.Read",
    "openid",
    "https://mail.google.com/",
    "https://outlook.office.com/SMTP.Send",
    "full_access_as_app",
    "SMTP.SendAsApp",
)
URLS = (
    "https://erp.contoso.com",
    "http://erp.contoso.com",
    "https://cloud.acme.example/index.php",
    "https://erp.contoso.com/?a=1",
    "ftp://x",
)
ENDPOINTS = (
    "https://login.microsoftonline.us",
    "smtp.office365.com:587",
    "127.0.0.1:1",
    "outlook.office365.com:993",
    "[::1]:25",
)
RULE_IDS = (
    "ms-secret-expiry",
    "secret-literal",
    "app-unused",
    "user-unused",
    "target-url-not-https",
    "no-such-rule",
)

#: Plausible values by field name (the model walk falls back to the field's type).
BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "version": st.sampled_from([1, 1, 1, "23", 22, 1.8, "1.8.22", "17.0", "2025R2", 2]),
    "tenant": st.sampled_from([*GUIDS, "contoso.onmicrosoft.com", "common", "organizations"]),
    "client_id": st.sampled_from([*GUIDS, GOOGLE_CLIENT, "not-a-client-id"]),
    "key_id": st.sampled_from(GUIDS),
    "email": st.sampled_from(EMAILS),
    "sign_in_as": st.sampled_from(EMAILS),
    "sender": st.sampled_from(EMAILS),
    "provider": st.sampled_from(PROVIDER_NAMES),
    "app": st.sampled_from(APP_NAMES),
    "domain": st.sampled_from(["contoso.com", "acme.example", "gmail.com", "bad domain"]),
    "url": st.sampled_from(URLS),
    "redirect_uri": st.sampled_from(["http://localhost", "https://erp.contoso.com/cb"]),
    "redirect_path": st.sampled_from(["/oauth2/callback", "callback"]),
    "project_number": st.sampled_from(["412345678901", "12"]),
    "thumbprint": st.sampled_from(["3A1B5C0D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4B", "xyz"]),
    "env": st.sampled_from(["ERP_MAIL_SECRET", "ACME_WEB_SECRET", "lower_case", "BAD-NAME"]),
    "file": st.sampled_from(["/run/secrets/erp-mail", "secrets/erp.txt", ""]),
    "value": st.sampled_from(["FUZZ-literal-secret-value"]),
    "rule": st.sampled_from(RULE_IDS),
    "reason": st.sampled_from(["accepted until migration", "no"]),
    "local_address": st.sampled_from(["127.0.0.1", "0.0.0.0", "::1"]),
    "ca_bundle": st.sampled_from(["/etc/ssl/certs/ca.pem", "ca.pem"]),
    "database": st.sampled_from(["odoo", "prod"]),
}
BY_NAME_LIST: dict[str, st.SearchStrategy[Any]] = {
    "users": st.lists(st.sampled_from(EMAILS), max_size=3),
    "aliases": st.lists(st.sampled_from(EMAILS), max_size=2),
    "granted_mailboxes": st.lists(st.sampled_from(EMAILS), max_size=2),
    "permissions": st.lists(st.sampled_from(PERMISSIONS), max_size=5),
    "redirect_uris": st.lists(
        st.sampled_from(
            [
                "https://erp.contoso.com/core/modules/oauth/microsoft3_oauthcallback.php",
                "http://localhost",
                "http://127.0.0.1:8080/",
                "https://erp.contoso.com/cb",
                "urn:ietf:wg:oauth:2.0:oob",
            ]
        ),
        max_size=3,
    ),
    "include": st.lists(
        st.sampled_from(["inc/*.yaml", "inc/users.yaml", "missing.yaml"]), max_size=2
    ),
}
SECTION_KEYS: dict[str, st.SearchStrategy[str]] = {
    "providers": st.sampled_from(PROVIDER_NAMES),
    "apps": st.sampled_from(APP_NAMES),
    "targets": st.sampled_from(TARGET_NAMES),
    "rules": st.sampled_from(RULE_IDS),
    "user_ids": st.sampled_from(EMAILS),
    "options": st.sampled_from(["days", "max_days", "unknown"]),
}

EDGE_UNICODE = (
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # BOM / zero-width no-break space
    "\u0301",  # combining acute accent
    "\u2028",  # line separator
    "\u0085",  # next line
    "\u00a0",  # no-break space
    "\u0430",  # Cyrillic a (homoglyph)
    "\U0001f600",
    "\ufffd",
    "ß",
    "İ",
    "\u05d0",  # Hebrew alef
    "\u0627",  # Arabic alef
)
#: Text as a YAML double-quoted escape (surrogates cannot be written raw in UTF-8).
ESCAPED_UNICODE = ("\\ud800", "\\udfff", "\\ud83d\\ude00", "\\x00", "\\x07", "\\U0010ffff", "\\N")
HUGE_NUMBERS = (
    "1" + "0" * 5000,
    "0x" + "f" * 5000,
    "0o" + "7" * 3000,
    "0b" + "1" * 20000,
    "-" + "9" * 400,
    "1e999",
    "-.inf",
    ".nan",
    "18446744073709551617",
    "1_000_000",
    "190:20:30",
    "0x_ff",
)
RAW_SNIPPETS = (
    "!!python/object/apply:os.system ['true']",
    "!custom value",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!int text",
    "!!float x",
    "!!bool maybe",
    "!!timestamp 2026-02-30",
    "!!str 12",
    "!!map {a: 1}",
    "!!seq [1]",
    "*undefined",
    "&lonely",
    "? [complex, key]\n: value",
    "|\n  literal\n  block",
    ">-\n  folded",
    "%TAG ! tag:x:",
    "'unterminated",
    '"unterminated',
    "[unclosed",
    "{a: 1, a: 2}",
    "2026-02-30",
    "2026-11-22T10:00:00+25:00",
    "0000-01-01",
    "@reserved",
    "`reserved",
    "- - - -",
    "---",
    "...",
    "<<: 1",
)


# --- a YAML node tree and its emitter ---------------------------------------------------------


@dataclass
class Node:
    """A YAML node: ``map`` (pairs, duplicates allowed), ``seq``, ``scalar``, ``alias``, ``raw``."""

    kind: Literal["map", "seq", "scalar", "alias", "raw"]
    value: Any = None
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)
    anchor: str | None = None
    tag: str | None = None
    flow: bool = False


def scalar(value: Any) -> Node:
    """A scalar node for a Python value."""
    return Node("scalar", value)


def from_python(value: Any) -> Node:
    """A node tree for plain Python data."""
    if isinstance(value, dict):
        return Node("map", pairs=[(scalar(k), from_python(v)) for k, v in value.items()])
    if isinstance(value, list):
        return Node("seq", items=[from_python(v) for v in value])
    return scalar(value)


def _scalar_text(value: Any, quoting: str) -> str:
    if value is None:
        return {"plain": "null", "single": "~", "double": ""}.get(quoting, "null")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value.bit_length() > 4000:  # str() refuses these: write them in hexadecimal
            return ("-" if value < 0 else "") + f"0x{abs(value):x}"
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if quoting == "raw":
        return text
    if quoting == "single":
        return "'" + text.replace("'", "''") + "'"
    safe_plain = (
        text
        and text[0].isalnum()
        and text.isascii()
        and all(c.isalnum() or c in " ._@/+-" for c in text)
        and not text.endswith(" ")
    )
    if quoting == "plain" and safe_plain:
        return text
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}")
        elif char in ("\u2028", "\u2029", "\u0085", "\ufeff"):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


@dataclass
class Emitter:
    """Writes a node tree as YAML text; every style choice is drawn (so it shrinks)."""

    draw: Draw

    def quoting(self) -> str:
        return str(self.draw(st.sampled_from(["plain", "plain", "plain", "double", "single"])))

    def prefix(self, node: Node) -> str:
        parts = [f"&{node.anchor}" if node.anchor else "", node.tag or ""]
        text = " ".join(p for p in parts if p)
        return text + " " if text else ""

    def inline(self, node: Node) -> str:
        """The node on one line (flow style)."""
        head = self.prefix(node)
        if node.kind == "alias":
            return f"*{node.value}"
        if node.kind == "raw":
            return str(node.value)
        if node.kind == "scalar":
            return head + _scalar_text(node.value, self.quoting())
        if node.kind == "seq":
            return head + "[" + ", ".join(self.inline(i) for i in node.items) + "]"
        body = ", ".join(f"{self.inline(k)}: {self.inline(v)}" for k, v in node.pairs)
        return head + "{" + body + "}"

    def block(self, node: Node, indent: int) -> list[str]:
        """The lines of a collection in block style at ``indent``."""
        pad = " " * indent
        lines: list[str] = []
        if node.kind == "map":
            for key, value in node.pairs:
                name = self.inline(key)
                if self._nested(value):
                    lines.append(f"{pad}{name}: {self.prefix(value)}".rstrip())
                    lines.extend(self.block(value, indent + 2))
                else:
                    lines.append(f"{pad}{name}: {self.inline(value)}")
        else:
            for item in node.items:
                if self._nested(item):
                    lines.append(f"{pad}- {self.prefix(item)}".rstrip())
                    lines.extend(self.block(item, indent + 2))
                else:
                    lines.append(f"{pad}- {self.inline(item)}")
        return lines

    def _nested(self, node: Node) -> bool:
        if node.kind == "map" and node.pairs and not node.flow:
            return not bool(self.draw(st.integers(0, 9)) == 0)  # now and then: flow style
        if node.kind == "seq" and node.items and not node.flow:
            return not bool(self.draw(st.integers(0, 9)) == 0)
        return False

    def document(self, root: Node) -> str:
        if root.kind in ("map", "seq") and (root.pairs or root.items) and not root.flow:
            head = self.prefix(root).strip()
            lines = ([head] if head else []) + self.block(root, 0)
            return "\n".join(lines) + "\n"
        return self.inline(root) + "\n"


# --- documents from the model -----------------------------------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _for_type(annotation: Any, name: str, depth: int) -> st.SearchStrategy[Any]:
    members = [m for m in _unwrap(annotation) if m is not type(None)]
    if not members:
        return st.none()
    options = [_for_member(m, name, depth) for m in members]
    return st.one_of(options) if len(options) > 1 else options[0]


def _for_member(member: Any, name: str, depth: int) -> st.SearchStrategy[Any]:
    origin = get_origin(member)
    if isinstance(member, type) and issubclass(member, BaseModel):
        return model_dicts(member, depth + 1)
    if origin is Literal:
        return st.sampled_from(get_args(member))
    if origin is list:
        item = get_args(member)[0]
        holds_models = any(isinstance(m, type) and issubclass(m, BaseModel) for m in _unwrap(item))
        if name in BY_NAME_LIST and not holds_models:
            return BY_NAME_LIST[name]
        return st.lists(_for_type(item, name, depth + 1), max_size=3)
    if origin is dict:
        keys = SECTION_KEYS.get(name, st.text(min_size=1, max_size=8))
        values = _for_type(get_args(member)[1], name, depth + 1)
        if get_args(member)[1] is typing.Any:
            values = st.one_of(st.integers(-5, 400), st.booleans(), st.text(max_size=6))
        return st.dictionaries(keys, values, max_size=3)
    if name in BY_NAME:
        return BY_NAME[name]
    if member is bool:
        return st.booleans()
    if member is int:
        return st.integers(-1, 70000)
    if member is float:
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if member is str:
        return st.text(alphabet="abcdefgh-./_ 0123456789", max_size=12)
    if member is dt.date:
        return st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31))
    if member is typing.Any:
        return st.one_of(st.integers(0, 100), st.text(max_size=5))
    return st.none()


@functools.cache
def model_dicts(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Dictionaries shaped like ``model``: required fields always, optional ones sometimes.

    Built once per model and depth (building strategies is what costs, not drawing them).
    """
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        if depth > 3 and not info.is_required():
            continue
        strategy = _for_type(info.annotation, name, depth)
        (required if info.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def configs() -> st.SearchStrategy[dict[str, Any]]:
    """Whole configs shaped like :class:`MailConfig` (many are valid, many are not)."""
    return model_dicts(MailConfig)


# --- tree mutations ---------------------------------------------------------------------------


def _walk(node: Node, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Node]]:
    yield path, node
    if node.kind == "map":
        for index, (_, value) in enumerate(node.pairs):
            yield from _walk(value, (*path, index))
    elif node.kind == "seq":
        for index, item in enumerate(node.items):
            yield from _walk(item, (*path, index))


def _replace(root: Node, path: tuple[int, ...], new: Node) -> Node:
    if not path:
        return new
    parent = root
    for index in path[:-1]:
        parent = parent.pairs[index][1] if parent.kind == "map" else parent.items[index]
    last = path[-1]
    if parent.kind == "map":
        parent.pairs[last] = (parent.pairs[last][0], new)
    else:
        parent.items[last] = new
    return root


def _misspell(draw: Draw, word: str) -> str:
    if not word:
        return "x"
    how = draw(st.sampled_from(["swap", "drop", "double", "case", "homoglyph", "space", "dash"]))
    i = draw(st.integers(0, max(0, len(word) - 1)))
    if how == "swap" and len(word) > 1:
        j = min(i + 1, len(word) - 1)
        chars = list(word)
        chars[i], chars[j] = chars[j], chars[i]
        return "".join(chars)
    if how == "drop":
        return word[:i] + word[i + 1 :] or "x"
    if how == "double":
        return word[:i] + word[i] + word[i:]
    if how == "case":
        return word.upper() if draw(st.booleans()) else word.title()
    if how == "homoglyph":
        return word.replace("a", "\u0430", 1).replace("o", "\u043e", 1)
    if how == "space":
        return word + " "
    return word.replace("_", "-") if "_" in word else word.replace("-", "_") + "_"


weird_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**70000),
    st.floats(),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(EDGE_UNICODE), max_size=6),
    st.dates(),
    st.datetimes(),
    st.just(""),
)


def _weird_node(draw: Draw) -> Node:
    kind = draw(st.sampled_from(["scalar", "scalar", "list", "map", "raw", "huge", "escaped"]))
    if kind == "list":
        return from_python(draw(st.lists(weird_scalars, max_size=3)))
    if kind == "map":
        return from_python(draw(st.dictionaries(st.text(max_size=5), weird_scalars, max_size=3)))
    if kind == "raw":
        return Node("raw", draw(st.sampled_from(RAW_SNIPPETS)))
    if kind == "huge":
        return Node("raw", draw(st.sampled_from(HUGE_NUMBERS)))
    if kind == "escaped":
        return Node("raw", '"a' + draw(st.sampled_from(ESCAPED_UNICODE)) + 'b"')
    return scalar(draw(weird_scalars))


def mutate_tree(draw: Draw, root: Node) -> Node:
    """Apply one structural mutation (drawn) somewhere in the tree."""
    spots = list(_walk(root))
    path, node = spots[draw(st.integers(0, len(spots) - 1))]
    maps = [(p, n) for p, n in spots if n.kind == "map" and n.pairs]
    how = draw(
        st.sampled_from(
            [
                "swap",
                "drop",
                "duplicate",
                "misspell",
                "unicode",
                "nest",
                "alias",
                "merge",
                "recursive",
                "bomb",
                "tag",
                "raw",
                "huge",
            ]
        )
    )
    if how == "swap":
        return _replace(root, path, _weird_node(draw))
    if how in ("drop", "duplicate", "misspell", "unicode") and maps:
        _, target = maps[draw(st.integers(0, len(maps) - 1))]
        index = draw(st.integers(0, len(target.pairs) - 1))
        key, value = target.pairs[index]
        if how == "drop":
            del target.pairs[index]
        elif how == "duplicate":
            other = value if draw(st.booleans()) else _weird_node(draw)
            target.pairs.insert(draw(st.integers(0, len(target.pairs))), (key, other))
        elif how == "misspell":
            target.pairs[index] = (scalar(_misspell(draw, str(key.value))), value)
        else:
            char = draw(st.sampled_from(EDGE_UNICODE))
            text = str(key.value)
            at = draw(st.integers(0, len(text)))
            if draw(st.booleans()):
                target.pairs[index] = (scalar(text[:at] + char + text[at:]), value)
            elif value.kind == "scalar" and isinstance(value.value, str):
                value.value = value.value[:at] + char + value.value[at:]
            else:
                escaped = draw(st.sampled_from(ESCAPED_UNICODE))
                target.pairs[index] = (key, Node("raw", f'"{text}{escaped}"'))
        return root
    if how == "nest":
        depth = draw(st.one_of(st.integers(1, 8), st.integers(60, 70), st.integers(100, 200)))
        if draw(st.integers(0, 3)) == 0:  # past the composer's guard, as raw text
            depth = draw(st.integers(900, 30000))
            opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
            raw = opener * depth + "x" + closer * depth
            return _replace(root, path, Node("raw", raw))
        depth = max(1, min(depth, 250 - len(path)))  # the emitter recurses too
        wrapped = node
        for _ in range(depth):
            wrapped = (
                Node("seq", items=[wrapped])
                if draw(st.booleans())
                else Node("map", pairs=[(scalar("k"), wrapped)])
            )
        return _replace(root, path, wrapped)
    if how == "alias" and len(spots) > 1:
        source = spots[draw(st.integers(0, len(spots) - 1))][1]
        source.anchor = source.anchor or f"a{draw(st.integers(0, 3))}"
        other, _ = spots[draw(st.integers(0, len(spots) - 1))]
        return _replace(root, other, Node("alias", source.anchor))
    if how == "merge" and maps:
        _, source = maps[draw(st.integers(0, len(maps) - 1))]
        _, target = maps[draw(st.integers(0, len(maps) - 1))]
        source.anchor = source.anchor or "m"
        merged = Node("alias", source.anchor)
        if draw(st.booleans()):
            merged = Node("seq", items=[merged], flow=True)
        target.pairs.insert(0, (Node("raw", "<<"), merged))
        return root
    if how == "recursive" and node.kind in ("map", "seq"):
        node.anchor = "self"
        inner = Node("alias", "self")
        if node.kind == "map":
            node.pairs.append((scalar("again"), inner))
        else:
            node.items.append(inner)
        return root
    if how == "bomb":
        width = draw(st.integers(2, 12))
        levels = draw(st.integers(2, 12))
        bomb = Node("seq", items=[scalar("lol")] * width, anchor="l0", flow=True)
        chain = [Node("map", pairs=[(scalar("l0"), bomb)])]
        for level in range(1, levels):
            prev = Node("alias", f"l{level - 1}")
            layer = Node("seq", items=[prev] * width, anchor=f"l{level}", flow=True)
            chain[0].pairs.append((scalar(f"l{level}"), layer))
        return _replace(root, path, chain[0])
    if how == "tag":
        node.tag = draw(
            st.sampled_from(["!!str", "!!int", "!!map", "!!seq", "!!null", "!local", "!!float"])
        )
        return root
    if how == "huge":
        return _replace(root, path, Node("raw", draw(st.sampled_from(HUGE_NUMBERS))))
    return _replace(root, path, Node("raw", draw(st.sampled_from(RAW_SNIPPETS))))


# --- byte mutations ---------------------------------------------------------------------------

BINARY_SNIPPETS = (
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xe2\x80",
    b"\xed\xa0\x80",  # an encoded surrogate (invalid UTF-8)
    b"\x1b[31m",
    b"\x07",
    b"\r",
    b"\t",
    b"\x85",
    b"\xf4\x90\x80\x80",
)


def mutate_bytes(draw: Draw, data: bytes) -> bytes:
    """Apply one byte-level mutation (drawn)."""
    how = draw(
        st.sampled_from(
            [
                "truncate",
                "insert",
                "binary",
                "flip",
                "drop-line",
                "dup-line",
                "tab",
                "crlf",
                "cr",
                "bom",
                "second-doc",
                "utf16",
            ]
        )
    )
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    if how == "insert":
        return data[:at] + draw(st.sampled_from(RAW_SNIPPETS)).encode() + data[at:]
    if how == "binary":
        blob = draw(st.one_of(st.sampled_from(BINARY_SNIPPETS), st.binary(min_size=1, max_size=8)))
        return data[:at] + blob + data[at:]
    if how == "flip" and data:
        index = min(at, len(data) - 1)
        return (
            data[:index] + bytes([data[index] ^ (1 << draw(st.integers(0, 7)))]) + data[index + 1 :]
        )
    lines = data.split(b"\n")
    line = draw(st.integers(0, max(0, len(lines) - 1)))
    if how == "drop-line" and lines:
        del lines[line]
        return b"\n".join(lines)
    if how == "dup-line" and lines:
        lines.insert(line, lines[line])
        return b"\n".join(lines)
    if how == "tab" and lines:
        lines[line] = lines[line].replace(b"  ", b"\t", 1)
        return b"\n".join(lines)
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "cr":
        return data.replace(b"\n", b"\r")
    if how == "bom":
        return data[:at] + b"\xef\xbb\xbf" + data[at:]
    if how == "second-doc":
        return data + b"\n---\n" + data[:at]
    if how == "utf16":
        return data.decode("utf-8", errors="replace").encode("utf-16")
    return data


# --- the public strategies --------------------------------------------------------------------

YAML_ALPHABET = st.one_of(
    st.sampled_from(list(":-?[]{},#&*!|>'\"%@` \n\n\n  \t\r.~0123456789abcxyz<=+_/\\")),
    st.sampled_from(EDGE_UNICODE),
    st.characters(codec="utf-8"),
)
YAML_WORDS = st.sampled_from(
    [
        "version: 1\n",
        "providers:\n",
        "apps:\n",
        "users:\n",
        "targets:\n",
        "include: ",
        "type: microsoft",
        "type: google",
        "type: dolibarr",
        "  ",
        "- ",
        "&a ",
        "*a",
        "<<: ",
        "!!int ",
        "{",
        "}",
        "[",
        "]",
        ": ",
        "\n",
        "'",
        '"',
        "#",
        "---\n",
        "? ",
        "|\n",
        "client_secret: ",
        "{env: X}",
        "email: a@b.c",
        "0x" + "f" * 40,
    ]
)


@st.composite
def yaml_texts(draw: Draw) -> bytes:
    """Random text over YAML's significant characters and tokens, or raw bytes."""
    kind = draw(st.sampled_from(["chars", "tokens", "tokens", "binary"]))
    if kind == "binary":
        return bytes(draw(st.binary(max_size=200)))
    if kind == "chars":
        return "".join(draw(st.lists(YAML_ALPHABET, max_size=200))).encode("utf-8", "surrogatepass")
    return "".join(draw(st.lists(YAML_WORDS, max_size=60))).encode("utf-8")


@st.composite
def mutated_documents(draw: Draw) -> bytes:
    """A model-shaped config, mutated as a tree, emitted, then (sometimes) mutated as bytes."""
    root = from_python(draw(configs()))
    for _ in range(draw(st.integers(0, 4))):
        root = mutate_tree(draw, root)
    data = Emitter(draw).document(root).encode("utf-8", "surrogatepass")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        data = mutate_bytes(draw, data)
    return data


@functools.cache
def seed_files() -> list[Path]:
    """The example, the rule cases, the rendering cases and the fuzz corpus."""
    seeds = [REPO / "examples" / "contoso" / "mailoauth.yaml"]
    seeds += sorted((REPO / "examples" / "contoso").glob("*/*.yaml"))
    seeds += sorted((REPO / "tests" / "rules" / "cases").glob("*/*.yaml"))
    seeds += sorted((REPO / "tests" / "rendering" / "cases").glob("*/*.yaml"))
    seeds += sorted(CORPUS_DIR.glob("*.yaml"))
    return seeds


@functools.cache
def _read(path: Path) -> bytes:
    return path.read_bytes()


@st.composite
def mutated_seeds(draw: Draw) -> bytes:
    """A seed file with one to five byte mutations."""
    seeds = seed_files()
    data = _read(seeds[draw(st.integers(0, len(seeds) - 1))])
    for _ in range(draw(st.integers(1, 5))):
        data = mutate_bytes(draw, data)
    return data
