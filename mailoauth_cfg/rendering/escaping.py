"""One escaping function per output syntax, chosen by the type of the file being rendered.

Every value a template prints goes through the *literal* function of the file's syntax: a POSIX
shell word, a PowerShell single-quoted string, a PHP single-quoted string, a SQL string literal,
a configparser value (no interpolation), an msmtprc argument, a Postfix ``main.cf`` value or
lookup-table token, a JSON value, a Python literal, or Markdown text. A template never picks
the escaping of a value; it may only ask for another *safe* form that its file's syntax offers
(a comment, a Markdown code span or shell command, a bare identifier), each checked again here.

A value that a syntax cannot carry (a line break in an msmtprc or INI value, a ``"`` in a
Postfix table, a backslash in a SQL literal that MySQL and standard SQL read differently) raises
:class:`Unrepresentable`; the renderer turns it into a located finding, before anything is
written. Facts about the consumers come from the real programs: msmtp takes a ``"..."``
argument literally (no ``\\`` escapes), Postfix expands ``$`` in ``main.cf`` (``$$`` is one
``$``), email-oauth2-proxy reads its file with ``configparser`` and ``interpolation=None``,
PowerShell also ends a single-quoted string on U+2018..U+201B.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mailoauth_cfg.charsets import (
    BIDI_CLASS,
    BIDI_RE,
    CONTROL_CLASS,
    CONTROL_RE,
    describe_char,
    first_match,
)
from mailoauth_cfg.jsontext import dumps_indented


class Unrepresentable(ValueError):
    """A value the output syntax cannot carry without changing its meaning."""

    def __init__(self, syntax: str, reason: str, value: object) -> None:
        super().__init__(f"{SYNTAXES[syntax].label if syntax in SYNTAXES else syntax} {reason}")
        self.syntax = syntax
        self.reason = reason
        self.value = value
        """The offending value (a :class:`str`, or the secret object that held it)."""


class Escaped(str):
    """Text already escaped for ``syntax`` (only this module creates it)."""

    __slots__ = ("syntax",)
    syntax: str

    def __new__(cls, text: str, syntax: str) -> Escaped:
        obj = super().__new__(cls, text)
        obj.syntax = syntax
        return obj


def plain(value: str) -> str:
    """``value`` as an exact :class:`str` (a subclass such as Markup may override ``replace``)."""
    return str.__str__(value)


# --- character classes --------------------------------------------------------------------------

LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
"""Everything :meth:`str.splitlines` splits on: a reader may end a line at any of them."""


# Each class is a compiled pattern: a value is scanned once, in C (see charsets).
_BACKSLASH_RE = re.compile(r"\\")
_SQL_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters but tab and line feed (:func:`is_control` minus ``\\t\\n``)."""
_POSTFIX_SPLIT_RE = re.compile(r"[\s,{}]")
"""``str.isspace`` characters (``\\s`` of a str pattern is exactly those), ``,`` and braces."""
_POSTFIX_MAP_SPLIT_RE = re.compile(r'[\s"]')


# --- the functions, one per syntax ------------------------------------------------------------


def _checked(text: str, syntax: str, value: object) -> str:
    """Refuse what no syntax here carries: NUL and text that is not valid Unicode."""
    value = text if value is None else value
    if "\x00" in text:
        raise Unrepresentable(syntax, "cannot hold a NUL character", value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise Unrepresentable(
                syntax, "cannot hold text that is not valid UTF-8", value
            ) from None
    return text


def _refuse(text: str, syntax: str, value: object, chars: re.Pattern[str], why: str) -> None:
    """Raise :class:`Unrepresentable` naming the first character of ``text`` in ``chars``."""
    bad = first_match(chars, text)
    if bad is not None:
        shown = text if value is None else value  # the offending text, to locate it
        raise Unrepresentable(syntax, f"cannot hold {describe_char(bad)}: {why}", shown)


def sh_word(text: str, value: object = None) -> str:
    """One POSIX shell word: ``'...'`` with ``'`` written ``'\\''`` (any byte but NUL)."""
    _checked(text, "sh", value)
    return shlex.quote(text) if text else "''"


_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
_PS_DOUBLED = str.maketrans({c: c + c for c in _PS_QUOTES})


def ps_string(text: str, value: object = None) -> str:
    """A PowerShell verbatim string ``'...'``.

    PowerShell ends such a string on ``'`` and on U+2018, U+2019, U+201A and U+201B; inside it,
    two of these in a row stand for the second one. Each is therefore doubled.
    """
    _checked(text, "ps1", value)
    return "'" + text.translate(_PS_DOUBLED) + "'"


def php_string(text: str, value: object = None) -> str:
    """A PHP single-quoted string: only ``\\`` and ``'`` are special inside."""
    _checked(text, "php", value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sql_string(text: str, value: object = None) -> str:
    """A SQL string literal read the same by MySQL/MariaDB (default mode) and standard SQL.

    Quotes are doubled; a backslash is refused: MySQL reads it as an escape, standard SQL (and
    MySQL with ``NO_BACKSLASH_ESCAPES``) does not, so no spelling means the same in both.
    """
    _checked(text, "sql", value)
    _refuse(
        text, "sql", value, _BACKSLASH_RE, "MySQL and standard SQL read a backslash differently"
    )
    _refuse(
        text,
        "sql",
        value,
        _SQL_CONTROL_RE,
        "a SQL script keeps only tabs and line feeds intact through the mysql client",
    )
    return "'" + text.replace("'", "''") + "'"


def ini_value(text: str, value: object = None) -> str:
    """A configparser value read with ``interpolation=None`` (``%`` is kept as is).

    One line; no leading or trailing white space (configparser strips it).
    """
    _checked(text, "ini", value)
    _refuse(text, "ini", value, CONTROL_RE, "an INI value is one line of text")
    if text != text.strip():
        raise Unrepresentable("ini", "cannot hold leading or trailing white space", value)
    return text


MSMTP_MAX = 470
"""Longest msmtprc argument: msmtp refuses lines of 500 characters or more (key included)."""


def msmtprc_value(text: str, value: object = None) -> str:
    """An msmtprc argument: ``"..."``, which msmtp takes literally (it unescapes nothing)."""
    _checked(text, "msmtprc", value)
    _refuse(text, "msmtprc", value, CONTROL_RE, "an msmtprc argument is one line of text")
    if len(text) > MSMTP_MAX:
        raise Unrepresentable(
            "msmtprc",
            f"cannot hold {len(text)} characters (msmtp reads lines of 499 at most)",
            value,
        )
    return '"' + text + '"'


def postfix_value(text: str, value: object = None) -> str:
    """One token of a Postfix ``main.cf`` value: ``$`` doubled (Postfix expands ``$name``).

    White space, ``,`` and braces separate or group list elements, so a single token holds none.
    """
    _checked(text, "postfix", value)
    _refuse(text, "postfix", value, CONTROL_RE, "a main.cf value is one line of text")
    _refuse(
        text,
        "postfix",
        value,
        _POSTFIX_SPLIT_RE,
        "Postfix splits or groups values on it",
    )
    if not text:
        raise Unrepresentable("postfix", "cannot hold an empty value here", value)
    return text.replace("$", "$$")


def postfix_map_token(text: str, value: object = None) -> str:
    """A key or value of a Postfix lookup table source (``postmap``): one token, no ``"``."""
    _checked(text, "postfix-map", value)
    _refuse(text, "postfix-map", value, CONTROL_RE, "a table entry is one line of text")
    _refuse(
        text,
        "postfix-map",
        value,
        _POSTFIX_MAP_SPLIT_RE,
        "postmap splits entries on white space and reads quotes itself",
    )
    if not text or text.startswith("#"):
        raise Unrepresentable("postfix-map", "cannot hold an empty value or a leading '#'", value)
    return text


_SYSTEMD_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def systemd_value(text: str, value: object = None) -> str:
    """A value of a systemd unit setting (``User=``, ``Description=``): one line, no leading or
    trailing white space (systemd strips it), ``%`` doubled (systemd expands ``%x``
    specifiers) and no ``\\`` (a line continuation at the end, an escape in some settings)."""
    _checked(text, "systemd", value)
    _refuse(text, "systemd", value, CONTROL_RE, "a unit setting is one line")
    _refuse(
        text,
        "systemd",
        value,
        _BACKSLASH_RE,
        "systemd reads it as an escape or a line continuation",
    )
    if text != text.strip() or not text:
        raise Unrepresentable(
            "systemd", "cannot hold an empty value or white space around it", value
        )
    return text.replace("%", "%%")


def systemd_command(words: Iterable[str]) -> str:
    """An ``ExecStart=`` command line of ``words``, each written bare: letters, digits and
    ``_@%+=:,./-`` only (``%`` doubled), so that no quoting, ``$`` expansion, ``;`` or
    specifier is ever involved; anything else is refused. The first word may not start with a
    character systemd reads as a prefix (``-@:+!``)."""
    words = list(words)
    if not words:
        raise Unrepresentable("systemd", "cannot run an empty command", "")
    for word in words:
        _checked(word, "systemd", word)
        bad = next((c for c in word if not _SYSTEMD_WORD.fullmatch(c)), None)
        if bad is not None or not word:
            raise Unrepresentable(
                "systemd",
                f"cannot hold {describe_char(bad) if bad else 'an empty word'} in a command: "
                "ExecStart= words are written without quotes",
                word,
            )
    first = words[0]
    if first[0] in "-@:+!":
        raise Unrepresentable("systemd", "cannot start a command with a prefix character", first)
    if ("/" in first and not first.startswith("/")) or any(
        len(part) > 255 for part in first.split("/")
    ):
        raise Unrepresentable(
            "systemd", "runs an executable given by name or by absolute path only", first
        )
    return " ".join(w.replace("%", "%%") for w in words)


def json_value(value: Any, original: object = None) -> str:
    """A JSON value; containers are indented by two spaces, keys sorted."""
    if isinstance(value, str):
        _checked(value, "json", original if original is not None else value)
    try:
        if isinstance(value, dict | list | tuple):
            return dumps_indented(value, ensure_ascii=False)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise Unrepresentable("json", f"cannot hold this value ({exc})", original) from None


_YAML_UNPRINTABLE = re.compile(
    r"[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""What a YAML stream may not hold raw (outside the YAML 1.1 printable set, as PyYAML reads
it) or reads as a line break inside a quoted scalar (NEL, U+2028, U+2029)."""


def yaml_value(value: Any, original: object = None) -> str:
    """A YAML value written as JSON (YAML reads JSON as is), with the characters a YAML stream
    may not hold raw (DEL, C1 controls...) written as ``\\uXXXX`` escapes inside strings, where
    JSON and YAML read them alike."""
    text = json_value(value, original)
    return _YAML_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def python_literal(value: Any, original: object = None) -> str:
    """A Python literal (``repr`` of text, numbers, ``True``/``False``/``None``, containers)."""
    if isinstance(value, str):
        shown = original if original is not None else value
        return repr(_checked(plain(value), "python", shown))
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, list | tuple):
        items = ", ".join(python_literal(v, original) for v in value)
        return (
            f"[{items}]"
            if isinstance(value, list)
            else f"({items}{',' if len(value) == 1 else ''})"
        )
    if isinstance(value, dict):
        pairs = (
            f"{python_literal(k, original)}: {python_literal(v, original)}"
            for k, v in value.items()
        )
        return "{" + ", ".join(pairs) + "}"
    raise Unrepresentable("python", f"cannot hold a {type(value).__name__}", original)


_MD_SPECIAL = frozenset("\\`*_[]<>|#!&~")
_MD_ESCAPED = str.maketrans({c: "\\" + c for c in _MD_SPECIAL})
_MD_LEADING = re.compile(r"^(?:[+\-](?=[ \t]|$)|[=\-]+[ \t]*$|\d{1,9}[.)](?=[ \t]|$))")
"""Text that would start a list item or underline a heading if a line began with it."""


def markdown_text(text: str, value: object = None) -> str:
    """Markdown text shown as written: markup characters are backslash-escaped."""
    _checked(text, "md", value)
    _refuse(text, "md", value, CONTROL_RE, "Markdown text here is one line")
    escaped = text.translate(_MD_ESCAPED)
    lead = _MD_LEADING.match(escaped)
    if lead is not None:  # escape its first punctuation character
        cut = next(i for i, c in enumerate(escaped) if not c.isdigit())
        escaped = escaped[:cut] + "\\" + escaped[cut:]
    return escaped


def markdown_code(text: str, value: object = None) -> str:
    """An inline Markdown code span holding ``text`` exactly (backticks and spaces included).

    Line breaks and bidirectional controls are refused (the span is meant to be copied). In a
    table row a ``|`` would split the cell even inside a code span: table cells use
    :func:`markdown_cell`.
    """
    _checked(text, "md", value)
    _refuse(text, "md", value, CONTROL_RE, "a Markdown code span is one line")
    _refuse(text, "md", value, BIDI_RE, "it would show the text in another order")
    if not text:
        return "(empty)"
    fence = "`"
    while fence in text:
        fence += "`"
    pad = (
        " "
        if text[0] == "`"
        or text[-1] == "`"
        or (text[0] == " " and text[-1] == " " and text.strip(" "))
        else ""
    )
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_cell(text: str, value: object = None) -> str:
    """A code span inside a table row: a ``|`` is written ``\\|`` (GFM reads it back as ``|``
    instead of ending the cell)."""
    return markdown_code(text, value).replace("|", "\\|")


@functools.lru_cache(maxsize=4096)
def _sh_word_of(text: str) -> str:
    """:func:`sh_word` of a command's word (commands repeat theirs: one runbook per mailbox)."""
    return sh_word(text)


def shell_command(words: Iterable[str]) -> str:
    """A shell command line of ``words``, each one shell word (for a runbook to be pasted)."""
    return " ".join([_sh_word_of(plain(w)) for w in words])


def fenced_command(words: Iterable[str], shell: str = "sh") -> str:
    """One line of a fenced code block (```` ```sh ```` or ```` ```powershell ````) holding a
    command of ``words``, each quoted for ``shell``.

    Commands in runbooks live in fenced blocks: Markdown reads nothing inside them, readers copy
    them whole, and the tests run every line of every ``sh`` block. A line break would split the
    command (and could close the fence), a bidirectional control would show the words in
    another order: both are refused.
    """
    return " ".join(map(_fenced_ps_word if shell == "powershell" else _fenced_sh_word, words))


def _fenced_word(word: str) -> str:
    """``word`` checked for a fenced command line (raises :class:`Unrepresentable`)."""
    word = plain(word)  # a word equal to a cached one shares its (plain text) result
    _checked(word, "md", word)
    _refuse(word, "md", word, CONTROL_RE, "a command in a runbook is one line")
    _refuse(word, "md", word, BIDI_RE, "it would show the command in another order")
    return word


# Runbooks repeat their words (one runbook per mailbox, every command naming the config and
# the target): each word is checked and quoted once. A refused word raises, and is not cached.
@functools.lru_cache(maxsize=1 << 16)
def _fenced_sh_word(word: str) -> str:
    return sh_word(_fenced_word(word))


@functools.lru_cache(maxsize=1 << 16)
def _fenced_ps_word(word: str) -> str:
    return powershell_command([_fenced_word(word)])


_PS_BARE = re.compile(r"^(?:-?[A-Za-z][A-Za-z0-9-]*|\$true|\$false|\$null)$")


def powershell_command(words: Iterable[str]) -> str:
    """A PowerShell command line: cmdlet and parameter names bare, anything else quoted."""
    return " ".join(w if _PS_BARE.fullmatch(w) else ps_string(w) for w in words)


_COMMENT_HIDDEN_RE = re.compile(f"[{CONTROL_CLASS}{BIDI_CLASS}\ufeff]")


def comment_text(text: str) -> str:
    """Text safe inside a line comment of any syntax here: one line, controls made visible."""
    return _COMMENT_HIDDEN_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _php_comment(text: str) -> str:
    # `?>` ends PHP mode even inside a `//` comment.
    return comment_text(text).replace("?>", "?\\>")


def _no_comment(text: str) -> str:
    raise Unrepresentable("json", "has no comments", text)


# --- the syntaxes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Syntax:
    """An output syntax: how a value becomes a literal, and the other safe forms it offers."""

    name: str
    label: str
    text: Callable[[str, object], str]
    """Escape one text value (raise :class:`Unrepresentable` when impossible)."""
    none: str | None = None
    """How the syntax writes "no value" (``null``); ``None``: it has none."""
    booleans: tuple[str, str] | None = None
    """(false, true) literals, if the syntax has booleans."""
    comment: Callable[[str], str] = comment_text
    forms: dict[str, Callable[..., str]] = field(default_factory=dict)
    """Extra safe forms by filter name (``code``, ``command``...)."""
    structured: Callable[[Any, object], str] | None = None
    """For syntaxes with containers (JSON, Python): the whole-value encoder."""
    suffixes: tuple[str, ...] = ()
    """File name endings that select this syntax."""
    memo: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)
    """Texts already escaped, by form (``""``: :attr:`text`) and text: a render escapes the same
    addresses and names in many files. Only successes are kept (a refusal raises each time)."""

    def escaped(self, form: str, text: str, escape: Callable[[str, object], str]) -> str:
        """``escape(text, text)``, remembered for this syntax and ``form``."""
        key = (form, text)
        done = self.memo.get(key)
        if done is None:
            done = escape(text, text)
            if len(self.memo) >= _MEMO_LIMIT:
                self.memo.clear()
            self.memo[key] = done
        return done


_MEMO_LIMIT = 1 << 17


SYNTAXES: dict[str, Syntax] = {
    s.name: s
    for s in (
        Syntax("sh", "POSIX shell", sh_word, suffixes=(".sh",)),
        Syntax("ps1", "PowerShell", ps_string, booleans=("$false", "$true"), suffixes=(".ps1",)),
        Syntax(
            "php",
            "PHP",
            php_string,
            none="null",
            booleans=("false", "true"),
            comment=_php_comment,
            suffixes=(".php",),
        ),
        Syntax("sql", "SQL", sql_string, none="NULL", suffixes=(".sql",)),
        Syntax("ini", "INI (configparser)", ini_value, suffixes=(".ini",)),
        Syntax("msmtprc", "msmtprc", msmtprc_value),
        Syntax("postfix", "Postfix main.cf", postfix_value),
        Syntax("postfix-map", "Postfix lookup table", postfix_map_token),
        Syntax(
            "json",
            "JSON",
            lambda t, v: json_value(t, v),
            none="null",
            booleans=("false", "true"),
            comment=_no_comment,
            structured=json_value,
            suffixes=(".json",),
        ),
        Syntax(
            "systemd",
            "systemd unit",
            systemd_value,
            forms={"command": systemd_command},
            suffixes=(".service",),
        ),
        Syntax(
            "yaml",
            "YAML",
            lambda t, v: yaml_value(t, v),
            none="null",
            booleans=("false", "true"),
            structured=yaml_value,
            suffixes=(".yaml", ".yml"),
        ),
        Syntax(
            "python",
            "Python",
            lambda t, v: python_literal(t, v),
            none="None",
            booleans=("False", "True"),
            structured=python_literal,
            suffixes=(".py",),
        ),
        Syntax(
            "md",
            "Markdown",
            markdown_text,
            comment=lambda t: markdown_text(comment_text(t)),
            forms={
                "code": markdown_code,
                "cell": markdown_cell,
                "command": fenced_command,
            },
            suffixes=(".md",),
        ),
    )
}


def syntax_for(path: str, declared: str | None = None) -> Syntax:
    """The syntax of an output file: ``declared`` (by its renderer) or its file name ending.

    Raises:
        KeyError: neither says which syntax the file has (a renderer must declare it).
    """
    if declared is not None:
        return SYNTAXES[declared]
    name = path.rpartition("/")[2]
    for syntax in SYNTAXES.values():
        if name.endswith(syntax.suffixes) and syntax.suffixes:
            return syntax
    raise KeyError(f"no output syntax is known for {path!r}; its renderer must declare one")
