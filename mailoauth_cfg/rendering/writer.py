"""Write rendered files: atomically, with the right modes, a manifest, and no escape from DIR.

``render --out DIR`` writes every file through a temporary file and a rename; secret-bearing
files are created 0600 (never readable by others, whatever the umask), others 0644.
``DIR/manifest.json`` lists each file's path, target, mailbox, sha256, mode and whether it
holds a secret (never the secret). ``--check`` compares without writing; ``--diff`` shows a
unified diff with secrets masked; files no longer produced are reported, and removed only
with ``--prune``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.fileio import write_atomic

MANIFEST = "manifest.json"
MASK = "********"
DIR_MODE = 0o755


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One output file, in memory."""

    path: str
    """POSIX path relative to the output directory."""
    content: bytes
    target: str
    mailbox: str | None
    secret: bool
    secrets: frozenset[str] = frozenset()
    """The secret values inside (for masking diffs); never written to the manifest."""
    secret_spans: tuple[tuple[int, int], ...] = ()
    """Byte ranges of the content that carry a secret (recorded in the manifest)."""

    @property
    def masked_content(self) -> bytes:
        """The content with each secret span replaced by the mask."""
        return mask_spans(self.content, self.secret_spans)

    @property
    def mode(self) -> int:
        """0600 when the file holds a secret, else 0644."""
        return 0o600 if self.secret else 0o644

    @property
    def sha256(self) -> str:
        """Digest of the content."""
        return hashlib.sha256(self.content).hexdigest()


def safe_relative(path: str) -> PurePosixPath:
    """Refuse absolute paths, ``..`` and empty parts: output stays inside DIR."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts):
        raise RenderError(f"output path {path!r} would leave the output directory")
    if any("\x00" in part or "\\" in part for part in pure.parts):
        raise RenderError(f"output path {path!r} contains a forbidden character")
    return pure


def _resolve_inside(out: Path, relative: PurePosixPath) -> Path:
    """The real path of ``out/relative``; refuse symlinks that lead outside ``out``."""
    root = out.resolve()
    candidate = root.joinpath(*relative.parts)
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            target = current.resolve()
            if not target.is_relative_to(root):
                raise RenderError(f"{current} is a symbolic link leading outside {out}; refusing")
    if not candidate.resolve().is_relative_to(root):
        raise RenderError(f"output path {relative} resolves outside {out}; refusing")
    return candidate


def mask_spans(content: bytes, spans: Iterable[tuple[int, int]]) -> bytes:
    """``content`` with each ``(start, end)`` byte range replaced by the mask."""
    out: list[bytes] = []
    position = 0
    for start, end in sorted(spans):
        out += [content[position:start], MASK.encode("ascii")]
        position = max(position, end)
    out.append(content[position:])
    return b"".join(out)


def manifest_entry(f: RenderedFile) -> dict[str, Any]:
    """A file's manifest entry; a secret-bearing file's also says where its secrets are
    (``secret_spans``, byte ranges) and the digest of its content with them masked, so that
    ``render --check --no-secrets`` can compare it without the secrets."""
    entry: dict[str, Any] = {
        "path": f.path,
        "target": f.target,
        "mailbox": f.mailbox,
        "sha256": f.sha256,
        "mode": f"{f.mode:04o}",
        "secret": f.secret,
    }
    if f.secret:
        entry["secret_spans"] = [list(span) for span in f.secret_spans]
        entry["masked_sha256"] = hashlib.sha256(f.masked_content).hexdigest()
    return entry


def manifest_bytes(
    files: Iterable[RenderedFile],
    stale: Iterable[dict[str, Any]] = (),
    recorded: dict[str, dict[str, Any]] | None = None,
) -> bytes:
    """The manifest: sorted, stable JSON; no timestamps, no secret values.

    ``stale`` are the previous manifest's entries of files no longer produced but still on disk
    (written without ``--prune``): they stay listed, marked ``"stale": true``, so that a later
    ``--prune`` still knows them. ``recorded`` entries replace those of the same path (a render
    without secrets keeps what the render with secrets recorded).
    """
    entries: list[dict[str, Any]] = [
        (recorded or {}).get(f.path) or manifest_entry(f) for f in files
    ]
    entries += [{**entry, "stale": True} for entry in stale]
    entries.sort(key=lambda e: str(e["path"]))
    document = {"version": 1, "generator": "mailoauth-cfg", "files": entries}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Plan:
    """What writing ``files`` to ``out`` would change."""

    created: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    stale: tuple[str, ...]
    """Files in the previous manifest that are no longer produced."""
    mode_changed: tuple[str, ...]

    @property
    def clean(self) -> bool:
        """True when DIR already holds exactly these files."""
        return not (self.created or self.changed or self.stale or self.mode_changed)


def _previous_entries(out: Path) -> dict[str, dict[str, Any]]:
    """The previous manifest's entries by path (empty when absent or unreadable)."""
    try:
        document = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        entries = {str(e["path"]): dict(e) for e in document.get("files", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return {path: entries[path] for path in sorted(entries)}


def _previous(out: Path) -> list[str]:
    return list(_previous_entries(out))


def _carried(files: list[RenderedFile], out: Path) -> list[dict[str, Any]]:
    """Previous entries of files no longer produced that are still on disk (kept until pruned)."""
    produced = {f.path for f in files}
    carried = []
    for path, entry in _previous_entries(out).items():
        if path in produced or path == MANIFEST:
            continue
        try:
            on_disk = _resolve_inside(out, safe_relative(path))
        except RenderError:
            continue
        if on_disk.is_file() and not on_disk.is_symlink():
            entry.pop("stale", None)
            carried.append(entry)
    return carried


def plan_write(files: list[RenderedFile], out: Path, *, prune: bool = False) -> Plan:
    """Compare the rendered files with DIR (without writing)."""
    all_files = [*files, _manifest_file(files, [] if prune else _carried(files, out))]
    created: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    mode_changed: list[str] = []
    for f in all_files:
        path = _resolve_inside(out, safe_relative(f.path))
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            created.append(f.path)
            continue
        except OSError as exc:
            raise RenderError(f"cannot read {path}: {exc.strerror or exc}") from None
        if current != f.content:
            changed.append(f.path)
        else:
            unchanged.append(f.path)
            if (path.stat().st_mode & 0o777) != f.mode:
                mode_changed.append(f.path)
    produced = {f.path for f in files}
    stale = [p for p in _previous(out) if p not in produced]
    return Plan(
        created=tuple(sorted(created)),
        changed=tuple(sorted(changed)),
        unchanged=tuple(sorted(unchanged)),
        stale=tuple(sorted(stale)),
        mode_changed=tuple(sorted(mode_changed)),
    )


def _manifest_file(files: list[RenderedFile], stale: Iterable[dict[str, Any]] = ()) -> RenderedFile:
    return RenderedFile(
        path=MANIFEST, content=manifest_bytes(files, stale), target="", mailbox=None, secret=False
    )


def _make_dirs(path: Path) -> None:
    """Create ``path`` and missing parents as 0755 whatever the umask (existing ones untouched).

    ``mkdir -p`` would create them ``0777 & ~umask``: world-writable under ``umask 0``, letting
    any local user replace a generated script before an administrator runs it.
    """
    missing: list[Path] = []
    current = path
    while not current.exists() and not current.is_symlink():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE)
        directory.chmod(DIR_MODE)


def write_files(files: list[RenderedFile], out: Path, *, prune: bool = False) -> Plan:
    """Write what changed (atomically, with modes), then the manifest; prune if asked."""
    carried = [] if prune else _carried(files, out)
    plan = plan_write(files, out, prune=prune)
    target = out
    try:
        _make_dirs(out)
        todo = set(plan.created) | set(plan.changed) | set(plan.mode_changed)
        for f in sorted(files, key=lambda f: f.path):
            if f.path in todo:
                target = _resolve_inside(out, safe_relative(f.path))
                _make_dirs(target.parent)
                write_atomic(target, f.content, mode=f.mode)
        if prune:
            for stale in plan.stale:
                target = _resolve_inside(out, safe_relative(stale))
                if target.is_file() and not target.is_symlink():
                    target.unlink()
        manifest = _manifest_file(files, carried)
        if MANIFEST in todo:
            target = out / MANIFEST
            write_atomic(target, manifest.content, mode=manifest.mode)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from None
    return plan


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value (longest first) by a mask."""
    for value in sorted(set(secrets), key=len, reverse=True):
        if value:
            text = text.replace(value, MASK)
    return text


HIDDEN = MASK + " (line of a secret-bearing file, hidden)\n"


def _mask_old_lines(old_lines: list[str], new_lines: list[str]) -> list[str]:
    """Old lines of a secret-bearing file, safe to print.

    The old file may hold a secret the new render does not know (a rotated secret), so masking
    the current secrets is not enough. A line also in the new file is kept; a line matching a
    new line around its masks (same text, another secret) becomes that masked line; any other
    line is hidden.
    """
    keep = set(new_lines)
    patterns = [
        (re.compile(".*?".join(re.escape(part) for part in line.split(MASK)), re.DOTALL), line)
        for line in dict.fromkeys(new_lines)
        if MASK in line
    ]
    out: list[str] = []
    for line in old_lines:
        if line in keep:
            out.append(line)
            continue
        template = next((t for pattern, t in patterns if pattern.fullmatch(line)), None)
        out.append(template if template is not None else HIDDEN)
    return out


def _holds_secret(f: RenderedFile, path: Path) -> bool:
    if f.secret:
        return True
    try:
        return (path.stat().st_mode & 0o077) == 0
    except OSError:
        return False


def unified_diff(files: list[RenderedFile], out: Path) -> str:
    """A unified diff of DIR against the rendered files, secrets masked on both sides."""
    secrets = {s for f in files for s in f.secrets}
    chunks: list[str] = []
    produced = {f.path for f in files}
    manifest = _manifest_file(files, _carried(files, out))
    for f in sorted([*files, manifest], key=lambda f: f.path):
        path = _resolve_inside(out, safe_relative(f.path))
        try:
            old = path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            old = None
        new = f.content.decode("utf-8", errors="replace")
        if old == new:
            continue
        new_lines = mask(new, secrets).splitlines(keepends=True)
        old_lines = mask(old, secrets).splitlines(keepends=True) if old is not None else []
        if old is not None and _holds_secret(f, path):
            old_lines = _mask_old_lines(old_lines, new_lines)
        hunks = list(
            difflib.unified_diff(
                old_lines,
                new_lines,
                fromfile=f"a/{f.path}" if old is not None else "/dev/null",
                tofile=f"b/{f.path}",
            )
        )
        if not hunks:
            hunks = [f"--- a/{f.path}\n+++ b/{f.path}\n@@ only secret values differ (masked) @@\n"]
        chunks.extend(hunks)
    for stale in _previous(out):
        if stale not in produced:
            chunks.append(f"--- a/{stale}\n+++ /dev/null\n@@ no longer produced @@\n")
    text = "".join(chunks)
    return text if text.endswith("\n") or not text else text + "\n"
