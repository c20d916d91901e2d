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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.fileio import write_atomic

MANIFEST = "manifest.json"
MASK = "********"


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


def manifest_bytes(files: Iterable[RenderedFile]) -> bytes:
    """The manifest: sorted, stable JSON; no timestamps, no secret values."""
    entries = [
        {
            "path": f.path,
            "target": f.target,
            "mailbox": f.mailbox,
            "sha256": f.sha256,
            "mode": f"{f.mode:04o}",
            "secret": f.secret,
        }
        for f in sorted(files, key=lambda f: f.path)
    ]
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


def _previous(out: Path) -> list[str]:
    try:
        document = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return sorted(str(e["path"]) for e in document.get("files", []))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def plan_write(files: list[RenderedFile], out: Path) -> Plan:
    """Compare the rendered files with DIR (without writing)."""
    all_files = [*files, _manifest_file(files)]
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


def _manifest_file(files: list[RenderedFile]) -> RenderedFile:
    return RenderedFile(
        path=MANIFEST, content=manifest_bytes(files), target="", mailbox=None, secret=False
    )


def write_files(files: list[RenderedFile], out: Path, *, prune: bool = False) -> Plan:
    """Write what changed (atomically, with modes), then the manifest; prune if asked."""
    plan = plan_write(files, out)
    out.mkdir(parents=True, exist_ok=True)
    todo = set(plan.created) | set(plan.changed) | set(plan.mode_changed)
    for f in sorted(files, key=lambda f: f.path):
        if f.path in todo:
            write_atomic(_resolve_inside(out, safe_relative(f.path)), f.content, mode=f.mode)
    if prune:
        for stale in plan.stale:
            path = _resolve_inside(out, safe_relative(stale))
            if path.is_file() and not path.is_symlink():
                path.unlink()
    manifest = _manifest_file(files)
    if MANIFEST in todo:
        write_atomic(out / MANIFEST, manifest.content, mode=manifest.mode)
    return plan


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value (longest first) by a mask."""
    for value in sorted(set(secrets), key=len, reverse=True):
        if value:
            text = text.replace(value, MASK)
    return text


def unified_diff(files: list[RenderedFile], out: Path) -> str:
    """A unified diff of DIR against the rendered files, secrets masked on both sides."""
    secrets = {s for f in files for s in f.secrets}
    chunks: list[str] = []
    produced = {f.path for f in files}
    for f in sorted([*files, _manifest_file(files)], key=lambda f: f.path):
        path = _resolve_inside(out, safe_relative(f.path))
        try:
            old = path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            old = None
        new = f.content.decode("utf-8", errors="replace")
        if old == new:
            continue
        old_lines = mask(old, secrets).splitlines(keepends=True) if old is not None else []
        chunks.extend(
            difflib.unified_diff(
                old_lines,
                mask(new, secrets).splitlines(keepends=True),
                fromfile=f"a/{f.path}" if old is not None else "/dev/null",
                tofile=f"b/{f.path}",
            )
        )
    for stale in _previous(out):
        if stale not in produced:
            chunks.append(f"--- a/{stale}\n+++ /dev/null\n@@ no longer produced @@\n")
    text = "".join(chunks)
    return text if text.endswith("\n") or not text else text + "\n"
