"""``validate --fix``: apply the YAML changes findings carry, keeping comments and layout.

A finding whose fix is a change to the config carries it as :class:`~mailoauth_cfg.findings.Edit`
data. This module gathers those of the failing findings, refuses contradictory ones (two
findings setting one key to different values), finds the file and node each change belongs to
(a key path of the merged document may live in an included file; ``users`` entries are found by
their line), and rewrites each file through ruamel.yaml's round-trip mode, so comments, key
order, flow or block style and quoting of everything else are kept. Each file is replaced
atomically (a temporary file in the same directory, then a rename), keeping its mode.

ruamel.yaml is imported here, on first use only: offline validation never pays for it.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailoauth_cfg.errors import ConfigError
from mailoauth_cfg.findings import Edit, Finding, Status
from mailoauth_cfg.locations import PathKey, SourceMap, format_path


@dataclass
class FixPlan:
    """The changes to apply, by file, and the findings they resolve."""

    edits: dict[Path, list[tuple[Edit, PathKey]]] = field(default_factory=dict)
    """File → (edit, the key path inside that file)."""
    applied: list[Finding] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    """Why some changes were not made (two findings disagree)."""


def _file_path(path: PathKey, marks: SourceMap, data: Any) -> tuple[str, PathKey] | None:
    """(the file that holds ``path`` or its nearest written parent, the path inside it)."""
    probe = path
    mark = None
    while probe:
        mark = marks.values.get(probe) or marks.keys.get(probe)
        if mark is not None:
            break
        probe = probe[:-1]
    if mark is None:
        return None
    local: list[str | int] = list(path)
    if len(path) >= 2 and path[0] == "users" and isinstance(path[1], int):
        entry = marks.values.get(("users", path[1]))
        if entry is None:
            return None
        local[1] = -entry.line  # resolved to the file's own index by line when applied
    return mark.file, tuple(local)


def plan_fixes(findings: Iterable[Finding], marks: SourceMap, data: Any, root: Path) -> FixPlan:
    """Gather the edits of the failing findings of one config (``root``: its directory)."""
    del root
    plan = FixPlan()
    chosen: dict[tuple[PathKey, str], tuple[Edit, Finding]] = {}
    refused: set[tuple[PathKey, str]] = set()
    for finding in findings:
        if finding.status is not Status.FAIL or not finding.edits:
            continue
        for edit in finding.edits:
            key = (edit.path, repr(edit.value) if edit.op in ("add", "remove") else "")
            if key in refused:
                continue
            if key in chosen:
                other, first = chosen[key]
                if other.op != edit.op or other.value != edit.value:
                    refused.add(key)
                    del chosen[key]
                    plan.conflicts.append(
                        f"{format_path(edit.path)}: {first.rule} and {finding.rule} disagree "
                        f"({other.describe()} / {edit.describe()}): left unchanged"
                    )
                continue
            chosen[key] = (edit, finding)
    resolved: set[int] = set()
    for (path, _), (edit, finding) in chosen.items():
        located = _file_path(path, marks, data)
        if located is None:
            plan.conflicts.append(f"{format_path(path)}: not found in any file: left unchanged")
            continue
        name, local = located
        file = Path(name).resolve()  # marks name files relative to the working directory
        plan.edits.setdefault(file, []).append((edit, local))
        if id(finding) not in resolved:
            resolved.add(id(finding))
            plan.applied.append(finding)
    return plan


def _yaml(text: str) -> Any:
    """A round-trip YAML handler that writes block sequences the way ``text`` does."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, offset = 2, 2
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped.startswith("- ") or index == 0:
            continue
        parent = lines[index - 1]
        if parent.rstrip().endswith(":") and not parent.lstrip().startswith("#"):
            offset = len(line) - len(stripped) - (len(parent) - len(parent.lstrip(" ")))
            break
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=max(offset, 0))
    return yaml


def _users_index(seq: Any, line: int) -> int | None:
    """Index of the item of ``seq`` that starts on 1-based ``line``."""
    for index in range(len(seq)):
        item_line = seq.lc.item(index)[0] + 1
        if item_line == line:
            return index
    return None


def _node(value: Any, flow: bool) -> Any:
    """``value`` as a ruamel node (lists in flow style where the original list was)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, list):
        seq = CommentedSeq(_node(v, True) for v in value)
        if flow:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dict):
        out = CommentedMap((k, _node(v, True)) for k, v in value.items())
        out.fa.set_flow_style()
        return out
    return value


def _walk(doc: Any, path: Sequence[str | int], create: bool) -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = doc
    for part in path:
        if isinstance(part, int):
            if part < 0:
                found = _users_index(node, -part)
                if found is None:
                    raise KeyError(part)
                part = found
            node = node[part]
            continue
        if part not in node:
            if not create:
                raise KeyError(part)
            node[part] = CommentedMap()
        node = node[part]
    return node


def _apply(doc: Any, edit: Edit, local: PathKey) -> None:
    parent_path, last = local[:-1], local[-1]
    if edit.op == "set":
        parent = _walk(doc, parent_path, create=True)
        old = parent.get(last) if hasattr(parent, "get") else None
        flow = bool(getattr(getattr(old, "fa", None), "flow_style", lambda: True)())
        parent[last] = _node(edit.value, flow)
    elif edit.op == "delete":
        parent = _walk(doc, parent_path, create=False)
        if last in parent:
            del parent[last]
    elif edit.op == "add":
        parent = _walk(doc, parent_path, create=True)
        if last not in parent or parent[last] is None:
            parent[last] = _node([edit.value], True)
        elif edit.value not in list(parent[last]):
            parent[last].append(edit.value)
    elif edit.op == "rename":
        parent = _walk(doc, parent_path, create=False)
        if edit.value in parent:
            raise KeyError(edit.value)  # both spellings written: left for a person
        position = list(parent).index(last)
        parent.insert(position, edit.value, parent.pop(last))
    elif edit.op == "remove":
        parent = _walk(doc, parent_path, create=False)
        items = parent.get(last)
        if items is not None and edit.value in list(items):
            items.remove(edit.value)


def _data(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return _UNREADABLE


_UNREADABLE = object()


_KEY = re.compile(r"^\s*(?:- )?([^\s#:{}\[\],-][^:#]*):(?:\s|$)")


def _chunks(
    old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[tuple[int, int, int, int]]:
    """A changed stretch cut at the keys both sides start a line with, in order: each piece
    may be restored on its own."""
    import difflib

    def anchors(lines: list[str], start: int, end: int) -> list[tuple[int, str]]:
        out = []
        for index in range(start, end):
            match = _KEY.match(lines[index])
            if match:
                out.append((index, match.group(1).strip()))
        return out

    a, b = anchors(old, i1, i2), anchors(new, j1, j2)
    matcher = difflib.SequenceMatcher(a=[k for _, k in a], b=[k for _, k in b], autojunk=False)
    cuts = [(i1, j1)]
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            cut = (a[block.a + offset][0], b[block.b + offset][0])
            if cut[0] > cuts[-1][0] and cut[1] >= cuts[-1][1]:
                cuts.append(cut)
    cuts.append((i2, j2))
    return [
        (start[0], end[0], start[1], end[1])
        for start, end in itertools.pairwise(cuts)
        if (start[0], start[1]) != (end[0], end[1])
    ]


def keep_layout(original: str, rewritten: str) -> str:
    """``rewritten`` with every changed stretch of lines that only re-formats (ruamel re-flows
    flow mappings, re-aligns columns) put back as it was written: each stretch of the line diff,
    else each piece of it between keys, is restored when the document still means the same
    with it restored."""
    import difflib

    old = original.splitlines(keepends=True)
    new = rewritten.splitlines(keepends=True)
    if old and not old[-1].endswith("\n") and new and new[-1].endswith("\n"):
        old[-1] += "\n"
    target = _data("".join(new))
    hunks = [
        op[1:]
        for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]

    def restored(i1: int, i2: int, j1: int, j2: int) -> bool:
        nonlocal new
        candidate = new[:j1] + old[i1:i2] + new[j2:]
        data = _data("".join(candidate))
        if data is _UNREADABLE or data != target:
            return False
        new = candidate
        return True

    for i1, i2, j1, j2 in reversed(hunks):
        if not restored(i1, i2, j1, j2):
            for piece in reversed(_chunks(old, new, i1, i2, j1, j2)):
                restored(*piece)
    return "".join(new)


def _write(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o7777
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fix")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_fixes(plan: FixPlan) -> list[Path]:
    """Apply ``plan`` file by file; returns the files changed.

    Raises:
        ConfigError: a file cannot be read or parsed back (nothing of it is written).
    """
    import io

    changed: list[Path] = []
    for path, edits in sorted(plan.edits.items()):
        try:
            original = path.read_text(encoding="utf-8")
            yaml = _yaml(original)
            doc = yaml.load(original)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: cannot be rewritten ({exc})") from None
        for edit, local in edits:
            try:
                _apply(doc, edit, local)
            except (KeyError, IndexError, TypeError, AttributeError):
                plan.conflicts.append(
                    f"{format_path(edit.path)}: not found in {path}: left unchanged"
                )
        out = io.StringIO()
        yaml.dump(doc, out)
        text = keep_layout(original, out.getvalue())
        if text != original:
            _write(path, text)
            changed.append(path)
    return changed
