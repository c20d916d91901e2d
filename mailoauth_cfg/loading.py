"""YAML files -> plain values with a source mark for every key and value.

The loader uses libyaml's composer (``CSafeLoader``) for speed and builds values from the
node tree itself, so that it can

* remember ``file:line:column`` for every mapping key and every value (a :class:`SourceMap`),
* report duplicate keys with both locations (PyYAML silently keeps the last one),
* refuse alias bombs, cycles, unknown tags and absurd nesting before anything expands,
* follow ``include:`` (paths or globs relative to the including file), merging files
  deterministically and reporting a name defined twice with both files.

Problems in the input are returned as findings (exit code 1), never raised: only a missing
or unreadable top-level file raises :class:`~mailoauth_cfg.errors.ConfigError` (exit code 2).
Secret references are plain mappings here; nothing is resolved.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from mailoauth_cfg.errors import ConfigError
from mailoauth_cfg.findings import Finding, Location, Severity
from mailoauth_cfg.locations import (
    Mark,
    PathKey,
    SourceMap,
    format_path,
    is_hidden_key,
    is_secret_path,
)
from mailoauth_cfg.locations import nearest_mark as _nearest
from mailoauth_cfg.records import record

__all__ = [
    "MAX_DEPTH",
    "LoadResult",
    "Mark",
    "PathKey",
    "SourceMap",
    "format_path",
    "is_hidden_key",
    "is_secret_path",
    "load_config",
]

try:  # libyaml is 6x faster; PyYAML wheels ship it, but stay usable without it.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - exercised only on builds without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest config file read (a 10,000-mailbox config is about 1.2 MB)."""
MAX_DEPTH = 64
"""Deepest nesting accepted; real configs need fewer than ten levels."""
MIN_ALIAS_BUDGET = 100_000
"""Nodes that aliases may re-expand, at least; more for large files (one per byte)."""
MAX_INCLUDE_FILES = 1000
MAX_COMPOSE_DEPTH = 512
"""Nesting at which composing stops. libyaml's composer recurses in C and overflows the stack
(a segmentation fault, not an exception) somewhere past 20,000 levels, which a 40 KB line of
``[`` reaches; deeper than :data:`MAX_DEPTH` is refused anyway. It stays below the 1000 levels
at which libyaml 0.2.6 and later (PyYAML 6.0.4 wheels) stop scanning on their own, so the guard
fires first whatever the libyaml version; the loader maps that error to the same
finding should it fire first anyway."""
_LIBYAML_DEPTH_PROBLEM = "exceeded maximum nesting depth"

#: Top-level sections that hold named objects merged across included files.
NAMED_SECTIONS = ("providers", "apps", "targets")
#: Top-level sections that hold lists concatenated across included files.
LIST_SECTIONS = ("users",)

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _TooDeep(Exception):
    """Internal: the composer reached :data:`MAX_COMPOSE_DEPTH` (carries the deepest mark)."""

    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__("nesting too deep")
        self.mark = mark


class _GuardedLoader(_Loader):
    """The safe loader with a nesting guard around its (recursive) composer.

    The composer calls ``descend_resolver`` before and ``ascend_resolver`` after each node;
    counting there stops a pathological document before it exhausts the C stack. Path
    resolvers (``yaml.add_path_resolver``) are not used by this loader.
    """

    _depth = 0

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        self._depth += 1
        if self._depth > MAX_COMPOSE_DEPTH:
            raise _TooDeep(getattr(current_node, "start_mark", None))

    def ascend_resolver(self) -> None:
        self._depth -= 1


def _may_nest_deeper(text: str, limit: int) -> bool:
    """Whether the nesting of ``text`` could exceed ``limit`` levels (a cheap upper bound).

    Flow collections nest only through ``[`` and ``{``; block collections only through
    indentation, at most two levels per column (a block sequence may sit at its key's column),
    and a node starts within its line. Lines are split at ``\n`` only, which can only make them
    longer. Typical configs stay far below the limit and skip the guard's per-node cost (about
    a tenth of composing).
    """
    flow = text.count("[") + text.count("{")
    if flow > limit:
        return True
    return flow + 2 * max(map(len, text.split("\n"))) + 2 > limit


@record(frozen=False)
class LoadResult:
    """The merged document of a config and everything needed to locate its parts."""

    data: dict[str, Any]
    marks: SourceMap
    files: list[str]
    findings: list[Finding]
    root: Path

    @property
    def ok(self) -> bool:
        """True when loading found no error (the document can be modelled)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)


def _finding(rule: str, message: str, mark: Mark, fix: str, path: PathKey = ()) -> Finding:
    return Finding(
        rule=rule,
        severity=Severity.ERROR,
        message=message,
        location=Location(mark.file, mark.line, mark.column, format_path(path)),
        fix=fix,
    )


class _FileProblem(Exception):
    """Internal: stops building one file and carries the finding that explains why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class _Builder:
    """Turns one composed YAML node tree into values, recording marks as it goes."""

    def __init__(self, display: str, text_size: int) -> None:
        self.display = display
        self.values: dict[PathKey, Mark] = {}
        self.keys: dict[PathKey, Mark] = {}
        self.findings: list[Finding] = []
        # Aliases are the only way a small text becomes a huge document. Nodes built a second
        # time (through an alias) draw on this budget; first visits are bounded by the text.
        self._budget = max(MIN_ALIAS_BUDGET, text_size)
        self._replaying = 0
        self._seen: set[int] = set()
        self._active: set[int] = set()
        self._merging = 0
        self._constructor = yaml.constructor.SafeConstructor()

    def mark(self, node: yaml.Node) -> Mark:
        m = node.start_mark
        return Mark(self.display, m.line + 1, m.column + 1)

    def build(self, node: yaml.Node, path: PathKey, depth: int = 0) -> Any:
        if self._replaying:
            self._budget -= 1
        if self._budget < 0:
            raise _FileProblem(
                _finding(
                    "yaml-alias-bomb",
                    "aliases expand this document far beyond its written size "
                    "(an alias bomb); refusing to expand it",
                    self.mark(node),
                    "write the repeated values out, or use fewer nested aliases",
                    path,
                )
            )
        if depth > MAX_DEPTH:
            raise _FileProblem(
                _finding(
                    "yaml-too-deep",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    self.mark(node),
                    "flatten the structure; a mailoauth-cfg config needs a few levels only",
                    path,
                )
            )
        start = node.start_mark
        mark = Mark(self.display, start.line + 1, start.column + 1)
        if self._merging:  # a value merged in with `<<` never hides an explicit one's mark
            self.values.setdefault(path, mark)
        else:
            self.values[path] = mark
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self._scalar(node, path)
        if id(node) in self._active:
            raise _FileProblem(
                _finding(
                    "yaml-recursive-alias",
                    "this alias refers to a node that contains it (a recursive structure)",
                    self.mark(node),
                    "replace the alias with a copy of the values it should hold",
                    path,
                )
            )
        self._active.add(id(node))
        replay = id(node) in self._seen
        self._seen.add(id(node))
        self._replaying += replay
        try:
            if isinstance(node, yaml.SequenceNode):
                self._check_tag(node, _SEQ, path)
                return [
                    self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)
                ]
            if not isinstance(node, yaml.MappingNode):  # pragma: no cover - composer guarantees
                raise TypeError(f"unexpected YAML node {type(node).__name__}")
            self._check_tag(node, _MAP, path)
            return self._mapping(node, path, depth)
        finally:
            self._active.discard(id(node))
            self._replaying -= replay

    def _check_tag(self, node: yaml.Node, expected: str, path: PathKey) -> None:
        if node.tag != expected:
            raise _FileProblem(
                _finding(
                    "yaml-unsupported-tag",
                    f"unsupported YAML tag {_tag_shown(node.tag, path)}",
                    self.mark(node),
                    "remove the tag; mailoauth-cfg reads plain YAML values only",
                    path,
                )
            )

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in _SCALAR_TAGS:
            try:
                value = self._constructor.yaml_constructors[tag](self._constructor, node)
                if type(value) is int and value.bit_length() > _INT_CHECK_BITS:
                    # 0x/0o/0b integers escape Python's limit on int <-> text conversion
                    # (decimal ones hit it above): every message that shows one would fail.
                    str(value)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
                # huge ints, impossible dates, explicit tags on values they cannot hold
                secret = is_secret_path(path)  # neither the value nor an error quoting it
                why = (
                    str(exc)
                    if isinstance(exc, ValueError) and not secret
                    else f"not a valid {tag[18:]}"
                )
                shown = "(hidden: it may be a secret)" if secret else repr(_clip(node.value))
                raise _FileProblem(
                    _finding(
                        "yaml-bad-scalar",
                        f"cannot read value {shown}: {why}",
                        self.mark(node),
                        "quote the value if it is meant as text, or correct it",
                        path,
                    )
                ) from None
            return value
        raise _FileProblem(
            _finding(
                "yaml-unsupported-tag",
                f"unsupported YAML tag {_tag_shown(tag, path)}",
                self.mark(node),
                "remove the tag; mailoauth-cfg reads plain YAML values only",
                path,
            )
        )

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, Mark] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self._merge_source(value_node, path, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (
                _STR,
                "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:null",
                "tag:yaml.org,2002:float",
            ):
                raise _FileProblem(
                    _finding(
                        "yaml-bad-key",
                        "mapping keys must be plain text",
                        self.mark(key_node),
                        "use a plain word as key",
                        path,
                    )
                )
            key = str(key_node.value)
            start = key_node.start_mark
            key_mark = Mark(self.display, start.line + 1, start.column + 1)
            first = seen.get(key)
            if first is not None:
                shown = "(hidden: it may be a secret)" if is_hidden_key(path, key) else repr(key)
                self.findings.append(
                    Finding(
                        rule="yaml-duplicate-key",
                        severity=Severity.ERROR,
                        message=(
                            f"duplicate key {shown}: first defined at line {first.line}, "
                            f"column {first.column}; YAML parsers disagree on which one wins"
                        ),
                        location=Location(
                            key_mark.file, key_mark.line, key_mark.column, format_path((*path, key))
                        ),
                        fix=f"remove one of the two {shown} entries, or merge their contents",
                        related=(Location(first.file, first.line, first.column),),
                    )
                )
                continue
            seen[key] = key_mark
            child = (*path, key)
            if self._merging:
                self.keys.setdefault(child, key_mark)
            else:
                self.keys[child] = key_mark
            if value_node.tag == _STR and not (self._replaying or self._merging):  # fast path
                start = value_node.start_mark
                self.values[child] = Mark(self.display, start.line + 1, start.column + 1)
                result[key] = value_node.value
                continue
            result[key] = self.build(value_node, child, depth + 1)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge_source(self, node: yaml.Node, path: PathKey, depth: int) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out: dict[str, Any] = {}
        self._merging += 1
        try:
            for source in sources:  # the first mapping that has a key wins (value and mark)
                if not isinstance(source, yaml.MappingNode):
                    raise _FileProblem(
                        _finding(
                            "yaml-bad-merge",
                            "a merge key (<<) needs a mapping or a list of mappings",
                            self.mark(source),
                            "point << at an anchored mapping",
                            path,
                        )
                    )
                for key, value in self.build(source, path, depth + 1).items():
                    out.setdefault(key, value)
        finally:
            self._merging -= 1
        return out


def _tag_shown(tag: str, path: PathKey) -> str:
    """A tag for a message; hidden on a secret's value (``!<the secret>`` is a paste, too)."""
    return "(hidden: it may be a secret)" if is_secret_path(path) else repr(tag)


_INT_CHECK_BITS = 4096
"""Integers longer than this are checked to be printable (see ``_Builder._scalar``)."""


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _decode(raw: bytes, display: str) -> str | Finding:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        # in characters, like every other mark (the bytes before the bad one are valid UTF-8)
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
        return Finding(
            rule="yaml-encoding",
            severity=Severity.ERROR,
            message=f"file is not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            location=Location(display, line, column),
            fix="save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
        )


def _syntax_finding(exc: yaml.MarkedYAMLError, display: str, text: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    problem = exc.problem or "invalid YAML"
    fix = "correct the YAML syntax at this position"
    lines = text.split("\n")
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = bad_line[: len(bad_line) - len(bad_line.lstrip(" \t"))]
    at_tab = 0 < column <= len(bad_line) and bad_line[column - 1] == "\t"
    if "\t" in indent or at_tab or "\\t" in problem:
        problem = "a tab character is used for indentation; YAML allows only spaces"
        fix = "replace tabs with spaces (2 per level)"
    message = f"YAML syntax error: {problem}"
    if exc.context:
        message += f" ({exc.context})"
    return Finding(
        rule="yaml-syntax",
        severity=Severity.ERROR,
        message=message,
        location=Location(display, line, column),
        fix=fix,
    )


@record(frozen=False)
class _Parsed:
    data: Any
    values: dict[PathKey, Mark]
    keys: dict[PathKey, Mark]
    findings: list[Finding]


def _parse_file(
    path: Path, display: str, *, max_bytes: int, source: bytes | None = None
) -> _Parsed:
    def fail(finding: Finding) -> _Parsed:
        return _Parsed(None, {}, {}, [finding])

    try:
        size = path.stat().st_size if source is None else len(source)
        if size > max_bytes:
            return fail(
                Finding(
                    rule="config-too-large",
                    severity=Severity.ERROR,
                    message=(
                        f"file is {size / 1048576:.1f} MiB; configs larger than "
                        f"{max_bytes / 1048576:.0f} MiB are refused"
                    ),
                    location=Location(display, 1, 1),
                    fix="split the config with `include:` or remove generated content",
                )
            )
        raw = path.read_bytes() if source is None else source
    except OSError as exc:
        return fail(
            Finding(
                rule="config-unreadable",
                severity=Severity.ERROR,
                message=f"cannot read file: {exc.strerror or exc}",
                location=Location(display, 0, 0),
                fix="check that the file exists and is readable",
            )
        )
    text = _decode(raw, display)
    if isinstance(text, Finding):
        return fail(text)
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return fail(
            Finding(
                rule="yaml-encoding",
                severity=Severity.ERROR,
                message="file contains a NUL byte; it looks binary, not YAML",
                location=Location(display, line, column),
                fix="point mailoauth-cfg at the YAML config, not a binary file",
            )
        )
    try:
        loader = _GuardedLoader if _may_nest_deeper(text, MAX_COMPOSE_DEPTH) else _Loader
        root = yaml.compose(text, Loader=loader)
    except _TooDeep as exc:
        at = exc.mark
        mark = Mark(display, at.line + 1, at.column + 1) if at is not None else Mark(display, 1, 1)
        return fail(
            _finding(
                "yaml-too-deep",
                f"nesting deeper than {MAX_COMPOSE_DEPTH} levels; refusing to read further",
                mark,
                "flatten the structure; a mailoauth-cfg config needs a few levels only",
            )
        )
    except yaml.MarkedYAMLError as exc:
        if _LIBYAML_DEPTH_PROBLEM in (exc.problem or ""):
            at = exc.problem_mark
            mark = Mark(display, at.line + 1, at.column + 1) if at else Mark(display, 1, 1)
            return fail(
                _finding(
                    "yaml-too-deep",
                    "nesting deeper than the YAML reader allows; refusing to read further",
                    mark,
                    "flatten the structure; a mailoauth-cfg config needs a few levels only",
                )
            )
        return fail(_syntax_finding(exc, display, text))
    except yaml.reader.ReaderError as exc:  # a control character: locate its first occurrence
        bad = chr(exc.character) if isinstance(exc.character, int) else ""
        shown = f" (U+{ord(bad):04X})" if bad else ""
        index = text.find(bad) if bad else -1
        line = text.count("\n", 0, index) + 1 if index >= 0 else 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1 if index >= 0 else 1
        return fail(
            Finding(
                rule="yaml-syntax",
                severity=Severity.ERROR,
                message=f"YAML syntax error: {exc.reason}{shown}",
                location=Location(display, line, column),
                fix="remove the character, or escape it in a double-quoted string (\\x07)",
            )
        )
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml raises marked errors
        return fail(
            Finding("yaml-syntax", Severity.ERROR, f"YAML error: {exc}", Location(display, 1, 1))
        )
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL):
        return fail(
            Finding(
                rule="config-empty",
                severity=Severity.ERROR,
                message="file is empty (or holds only comments)",
                location=Location(display, 1, 1),
                fix="start from `mailoauth-cfg init`, or remove the file from the include list",
            )
        )
    builder = _Builder(display, len(raw))
    try:
        data = builder.build(root, ())
    except _FileProblem as problem:
        return _Parsed(None, {}, {}, [*builder.findings, problem.finding])
    except RecursionError:
        mark = builder.mark(root)
        return fail(_finding("yaml-too-deep", "structure nested too deeply", mark, "flatten it"))
    return _Parsed(data, builder.values, builder.keys, builder.findings)


def _display(path: Path, root: Path) -> str:
    """A stable, short name for a file: relative to the cwd when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - different drive on Windows
        return str(path)


def _include_patterns(
    data: dict[str, Any], values: dict[PathKey, Mark]
) -> Iterator[tuple[str, Mark, PathKey] | Finding]:
    raw = data.get("include")
    if raw is None:
        return
    items = raw if isinstance(raw, list) else [raw]
    for index, item in enumerate(items):
        path: PathKey = ("include", index) if isinstance(raw, list) else ("include",)
        mark = _nearest(values, path) or Mark("", 1, 1)
        if not isinstance(item, str) or not item.strip():
            yield _finding(
                "include-invalid",
                "an include entry must be a file path or glob (text)",
                mark,
                "write e.g. `include: [users/*.yaml]`",
                path,
            )
            continue
        yield item, mark, path


MAX_WALK_ENTRIES = 100_000
"""Directory entries one include pattern may look at."""


class _GlobWalk:
    """The files matching an include glob (``*``, ``?``, ``[...]``, ``**``), found without
    ever looping or leaving the tree.

    Python's :func:`glob.glob` follows every symbolic link to a directory while it recurses
    (a link to ``/`` walks the file system; a link to an ancestor loops until names get too
    long). Here a linked directory is entered only when it resolves inside the folder where
    the pattern's wildcards start (and inside ``inside``, the config directory, unless
    includes may leave it), and ``**`` enters each real directory once. Like glob, wildcards
    skip names starting with a dot unless the pattern part does.
    """

    def __init__(self, base: Path, pattern: str, inside: Path | None) -> None:
        parts = Path(pattern).parts
        start = Path(parts[0]) if Path(pattern).is_absolute() else base
        if Path(pattern).is_absolute():
            parts = parts[1:]
        fixed = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))
        self.start = start.joinpath(*parts[:fixed])
        self.parts = parts[fixed:]
        self.inside = inside
        self.tree = self._real(self.start)
        self.budget = MAX_WALK_ENTRIES
        self.exhausted = False
        self._entered: set[Path] = set()

    @staticmethod
    def _real(path: Path) -> Path | None:
        try:
            return path.resolve()
        except (OSError, RuntimeError):  # a link loop
            return None

    def files(self) -> list[Path]:
        """Matching regular files, sorted, each path once."""
        if self.tree is None or not self.parts:
            return []
        found = {str(p): p for p in self._expand(self.start, 0)}
        return [found[k] for k in sorted(found) if self._is_file(found[k])]

    @staticmethod
    def _is_file(path: Path) -> bool:
        try:
            return path.is_file()
        except OSError:
            return False

    def _entries(self, directory: Path) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            return []
        self.budget -= len(entries)
        if self.budget < 0:
            self.exhausted = True
            return []
        return entries

    def _may_enter(self, path: Path, entry: os.DirEntry[str] | None = None) -> bool:
        """Whether to descend into ``path``: a directory, reached without leaving the tree."""
        try:
            if entry is not None and entry.is_dir(follow_symlinks=False):
                return True  # a real subdirectory of a directory already inside
            if not path.is_dir():
                return False
        except OSError:
            return False
        real = self._real(path)
        if real is None or self.tree is None or not real.is_relative_to(self.tree):
            return False
        return self.inside is None or real.is_relative_to(self.inside)

    def _expand(self, directory: Path, index: int) -> Iterator[Path]:
        if self.exhausted:
            return
        if index == len(self.parts):
            yield directory
            return
        part = self.parts[index]
        last = index == len(self.parts) - 1
        if part == "**":
            real = self._real(directory)
            if real is None or real in self._entered:
                return  # each real directory once: no loop through links
            self._entered.add(real)
            yield from self._expand(directory, index + 1)
            for entry in self._entries(directory):
                if entry.name.startswith("."):
                    continue
                child = directory / entry.name
                if last:
                    yield child
                if self._may_enter(child, entry):
                    yield from self._expand(child, index)
            return
        if not glob.has_magic(part):
            child = directory / part
            if last:
                yield child
            elif self._may_enter(child):
                yield from self._expand(child, index + 1)
            return
        for entry in self._entries(directory):
            if entry.name.startswith(".") and not part.startswith("."):
                continue
            if not fnmatch.fnmatchcase(entry.name, part):
                continue
            child = directory / entry.name
            if last:
                yield child
            elif self._may_enter(child, entry):
                yield from self._expand(child, index + 1)


class _Merger:
    def __init__(self, root: Path, *, allow_outside: bool, max_bytes: int) -> None:
        self.root = root
        self.allow_outside = allow_outside
        self.max_bytes = max_bytes
        self.data: dict[str, Any] = {}
        self.marks = SourceMap()
        self.files: list[str] = []
        self.findings: list[Finding] = []
        self.owner: dict[tuple[str, str], Mark] = {}
        self.visited: set[Path] = set()

    def load(
        self,
        path: Path,
        chain: tuple[Path, ...],
        via: Mark | None,
        via_path: PathKey = ("include",),
        source: tuple[str, bytes] | None = None,
    ) -> None:
        real = path.resolve()
        display = _display(path, self.root) if source is None else source[0]
        if real in chain:
            cycle = " -> ".join(_display(p, self.root) for p in (*chain, real))
            mark = via or Mark(display, 1, 1)
            self.findings.append(
                _finding(
                    "include-cycle",
                    f"include cycle: {cycle}",
                    mark,
                    "remove the include that points back to a file already including this one",
                    via_path,
                )
            )
            return
        if real in self.visited:
            return  # included twice through different paths: harmless, load once
        if len(self.visited) >= MAX_INCLUDE_FILES:
            mark = via or Mark(display, 1, 1)
            self.findings.append(
                _finding(
                    "include-invalid",
                    f"more than {MAX_INCLUDE_FILES} files included",
                    mark,
                    "narrow the include globs",
                    via_path,
                )
            )
            return
        self.visited.add(real)
        self.files.append(display)
        parsed = _parse_file(
            path, display, max_bytes=self.max_bytes, source=None if source is None else source[1]
        )
        if via is not None:  # a file that cannot be read has no line: point at its include
            parsed.findings = [
                _finding(f.rule, f"included file {display}: {f.message}", via, f.fix, via_path)
                if f.rule == "config-unreadable"
                else f
                for f in parsed.findings
            ]
        self.findings.extend(parsed.findings)
        if parsed.data is None:
            return
        if not isinstance(parsed.data, dict):
            mark = parsed.values.get(()) or Mark(display, 1, 1)
            kind = "a list" if isinstance(parsed.data, list) else "a single value"
            self.findings.append(
                _finding(
                    "config-not-mapping",
                    f"the top level of a config must be a mapping of sections, not {kind}",
                    mark,
                    "start the file with `version: 1` and sections such as `providers:`",
                )
            )
            return
        self._merge(parsed, display)
        for item in _include_patterns(parsed.data, parsed.values):
            if isinstance(item, Finding):
                self.findings.append(item)
                continue
            pattern, mark, include_path = item
            for target in self._expand(path.parent, pattern, mark, include_path):
                self.load(target, (*chain, real), mark, include_path)

    def _expand(self, base: Path, pattern: str, mark: Mark, path: PathKey) -> list[Path]:
        full = base / pattern
        if glob.has_magic(pattern):
            if not self.allow_outside and self._glob_leaves_root(base, pattern, mark, path):
                return []
            walk = _GlobWalk(base, pattern, inside=None if self.allow_outside else self.root)
            matches = walk.files()
            if walk.exhausted:
                self.findings.append(
                    _finding(
                        "include-invalid",
                        f"include pattern {pattern!r} visits more than {MAX_WALK_ENTRIES} "
                        "entries; refusing to walk further",
                        mark,
                        "narrow the pattern (a recursive ** over a large tree)",
                        path,
                    )
                )
                return []
            if not matches:
                self.findings.append(
                    Finding(
                        rule="include-no-match",
                        severity=Severity.WARNING,
                        message=f"include pattern {pattern!r} matches no file",
                        location=Location(mark.file, mark.line, mark.column, format_path(path)),
                        fix="correct the pattern (it is relative to the including file)",
                    )
                )
        else:
            try:
                is_file = full.is_file()
                what = (
                    "is a directory (use a glob such as dir/*.yaml)"
                    if not is_file and full.is_dir()
                    else "does not exist"
                )
            except OSError as exc:  # a name too long for the file system, ...
                is_file, what = False, f"cannot be used: {exc.strerror or exc}"
            if not is_file:
                self.findings.append(
                    _finding(
                        "include-missing",
                        f"included file {_clip(pattern, 80)!r} {what}",
                        mark,
                        "correct the path (it is relative to the including file)",
                        path,
                    )
                )
                return []
            matches = [full]
        allowed: list[Path] = []
        for match in matches:
            if not self.allow_outside and not match.resolve().is_relative_to(self.root):
                self.findings.append(
                    _finding(
                        "include-outside",
                        f"included file {pattern!r} lies outside the config directory "
                        f"{_display(self.root, self.root)}",
                        mark,
                        "move the file under the config directory, or pass "
                        "--allow-include-outside if this is intended",
                        path,
                    )
                )
                continue
            allowed.append(match)
        return allowed

    def _glob_leaves_root(self, base: Path, pattern: str, mark: Mark, path: PathKey) -> bool:
        """Refuse (with a finding) a glob that would search outside the config directory.

        Globbing first and refusing the matches afterwards would walk the whole tree the
        pattern reaches (``/**/*.yaml`` walks the file system) before saying no.
        """
        parts = Path(pattern).parts
        magic = next(i for i, part in enumerate(parts) if glob.has_magic(part))
        fixed = base.joinpath(*parts[:magic]).resolve()
        if fixed.is_relative_to(self.root) and ".." not in parts[magic:]:
            return False
        self.findings.append(
            _finding(
                "include-outside",
                f"include pattern {pattern!r} searches outside the config directory "
                f"{_display(self.root, self.root)}",
                mark,
                "move the files under the config directory, or pass "
                "--allow-include-outside if this is intended",
                path,
            )
        )
        return True

    def _merge(self, parsed: _Parsed, display: str) -> None:
        values, keys, data = parsed.values, parsed.keys, parsed.data
        if not isinstance(data, dict):  # pragma: no cover - checked by the caller
            return
        offsets: dict[str, int] = {}
        for section, value in data.items():
            if section == "include":
                continue
            if section in LIST_SECTIONS and isinstance(value, list):
                existing = self.data.setdefault(section, [])
                if isinstance(existing, list):
                    offsets[section] = len(existing)
                    existing.extend(value)
                    continue
            if section in NAMED_SECTIONS and isinstance(value, dict):
                existing = self.data.setdefault(section, {})
                if isinstance(existing, dict):
                    for name, obj in value.items():
                        key_mark = keys.get((section, name)) or Mark(display, 1, 1)
                        first = self.owner.get((section, name))
                        if first is not None:
                            self.findings.append(
                                Finding(
                                    rule="include-duplicate-name",
                                    severity=Severity.ERROR,
                                    message=(
                                        f"{section}.{name} is defined in {first.file} "
                                        f"(line {first.line}) and again in {key_mark.file}"
                                    ),
                                    location=Location(
                                        key_mark.file,
                                        key_mark.line,
                                        key_mark.column,
                                        format_path((section, name)),
                                    ),
                                    fix="keep one definition and remove or rename the other",
                                    related=(Location(first.file, first.line, first.column),),
                                )
                            )
                            continue
                        self.owner[(section, name)] = key_mark
                        existing[name] = obj
                    continue
            if value is None and section in (*LIST_SECTIONS, *NAMED_SECTIONS):
                continue  # an empty section (`users:`) adds nothing
            if section in self.data:
                key_mark = keys.get((section,)) or Mark(display, 1, 1)
                if section == "version" and self.data[section] == value:
                    continue
                first = self.marks.keys.get((section,))
                where = f"{first.file} line {first.line}" if first else "another file"
                self.findings.append(
                    Finding(
                        rule="include-duplicate-name",
                        severity=Severity.ERROR,
                        message=f"top-level key {section!r} is already set in {where}",
                        location=Location(
                            key_mark.file, key_mark.line, key_mark.column, format_path((section,))
                        ),
                        fix=f"set {section!r} in one file only",
                    )
                )
                continue
            self.data[section] = value
        if not self.marks.values:  # the first file: nothing to shift or protect
            self.marks.values.update(values)
            self.marks.keys.update(keys)
            return
        for path, mark in values.items():
            self._put(self.marks.values, path, mark, offsets)
        for path, mark in keys.items():
            self._put(self.marks.keys, path, mark, offsets)

    @staticmethod
    def _put(
        target: dict[PathKey, Mark], path: PathKey, mark: Mark, offsets: dict[str, int]
    ) -> None:
        if len(path) >= 2 and isinstance(path[0], str) and path[0] in offsets:
            index = path[1]
            if isinstance(index, int):
                path = (path[0], index + offsets[path[0]], *path[2:])
        elif len(path) == 1 and path[0] in LIST_SECTIONS and path in target:
            return  # keep the first file's mark for the section itself
        elif len(path) <= 2 and path and path[0] in NAMED_SECTIONS and path in target:
            return
        target[path] = mark


def load_config(
    path: str | os.PathLike[str],
    *,
    allow_include_outside: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
) -> LoadResult:
    """Load a config file and everything it includes.

    Raises:
        ConfigError: the top-level file does not exist or is not a regular file.
    """
    top = Path(path)
    if not top.exists():
        raise ConfigError(f"config file not found: {top}")
    if not top.is_file():
        raise ConfigError(f"not a regular file: {top}")
    try:
        top.open("rb").close()
    except OSError as exc:
        raise ConfigError(f"cannot read {top}: {exc.strerror or exc}") from None
    root = top.resolve().parent
    merger = _Merger(root, allow_outside=allow_include_outside, max_bytes=max_bytes)
    merger.load(top, (), None)
    return LoadResult(
        data=merger.data,
        marks=merger.marks,
        files=merger.files,
        findings=merger.findings,
        root=root,
    )


def load_config_bytes(
    data: bytes,
    *,
    name: str = "<stdin>",
    base: Path | None = None,
    allow_include_outside: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
) -> LoadResult:
    """Load a config given as bytes (``validate -``: standard input) and what it includes.

    ``name`` is how findings name it; includes (and ``file:`` secret references) are relative
    to ``base``, the current directory by default, which is also the root that includes may
    not leave.
    """
    root = (base or Path.cwd()).resolve()
    merger = _Merger(root, allow_outside=allow_include_outside, max_bytes=max_bytes)
    merger.load(root / name, (), None, source=(name, data))
    return LoadResult(
        data=merger.data,
        marks=merger.marks,
        files=merger.files,
        findings=merger.findings,
        root=root,
    )
