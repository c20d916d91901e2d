"""Write rendered files: exclusive, staged, all-or-nothing, durable, and no escape from DIR.

``render --out DIR`` writes in this order:

1. **Lock**: an exclusive ``flock`` on DIR itself (a second render waits for the first, then
   sees its result); ``--check`` and ``--diff`` take it shared.
2. **Clean up**: temporary files a killed render left (``DIR/.mailoauth-cfg-stage-*`` and the
   ``.<name>.<random>.tmp`` files of earlier versions) are removed and reported.
3. **Check** every destination first (inside DIR, no symbolic link leading out, not a folder,
   on the same file system as DIR), so that a refusal changes nothing.
4. **Stage** every changed file and the manifest in a private folder inside DIR (0700, each
   file created with its final mode: 0600 when it holds a secret, else 0644, whatever the
   umask), then flush them to disk with one ``syncfs`` of DIR's file system (``sync`` where
   ``syncfs`` is missing), instead of one ``fsync`` per file.
5. **Rename** each staged file over its destination (each rename is atomic: a reader sees the
   old file or the new one), prune if asked, rename the **manifest last**, and ``fsync`` the
   folders renamed into, so that a finished render survives a power cut.

A write error while staging leaves DIR untouched. A render killed at any point leaves every
file whole (old or new); until the manifest is renamed, ``--check`` reports DIR as stale and
the next render finishes the job.

``DIR/manifest.json`` lists each file's path, target, mailbox, sha256, mode and whether it holds
a secret (never the secret). ``--check`` compares without writing; ``--diff`` shows a unified
diff with secrets masked; files no longer produced are reported, and removed only with
``--prune``.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.fileio import make_dirs

MANIFEST = "manifest.json"
MASK = "********"
DIR_MODE = 0o755
STAGE_PREFIX = ".mailoauth-cfg-stage-"
LOCK_TIMEOUT = 120.0
"""Seconds a render waits for another one holding the lock on DIR."""
_OLD_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
"""``.<name>.<random>.tmp``: a file an earlier version's atomic write left when killed."""


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
    leftovers: tuple[str, ...] = field(default=())
    """Temporary files of an interrupted render: found (``--check``), or removed (render)."""

    @property
    def clean(self) -> bool:
        """True when DIR already holds exactly these files (and nothing half-done)."""
        return not (
            self.created or self.changed or self.stale or self.mode_changed or self.leftovers
        )


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
    """Compare the rendered files with DIR (without writing; waits for a render in progress)."""
    with _lock(out, shared=True):
        return _plan(files, out, prune=prune, leftovers=tuple(_leftovers(out, files)))


def _plan(
    files: list[RenderedFile], out: Path, *, prune: bool, leftovers: tuple[str, ...] = ()
) -> Plan:
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
        leftovers=leftovers,
    )


def _manifest_file(files: list[RenderedFile], stale: Iterable[dict[str, Any]] = ()) -> RenderedFile:
    return RenderedFile(
        path=MANIFEST, content=manifest_bytes(files, stale), target="", mailbox=None, secret=False
    )


@contextlib.contextmanager
def _lock(out: Path, *, shared: bool = False, timeout: float | None = None) -> Iterator[None]:
    """Hold a ``flock`` on DIR itself (exclusive to write, shared to read): no lock file.

    Reading a DIR that does not exist yet needs no lock.
    """
    try:
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        if shared and exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
            yield
            return
        raise RenderError(f"cannot open {out}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + (LOCK_TIMEOUT if timeout is None else timeout)
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RenderError(
                        f"another mailoauth-cfg render is writing {out}; nothing was written"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _leftovers(out: Path, files: Iterable[RenderedFile]) -> Iterator[str]:
    """Temporary files and folders an interrupted render left in DIR (relative paths)."""
    if not out.is_dir():
        return
    ours = {PurePosixPath(f.path).name for f in files} | {MANIFEST}
    ours |= {PurePosixPath(p).name for p in _previous(out)}
    for directory, folders, names in os.walk(out, followlinks=False):
        here = Path(directory)
        for folder in sorted(folders):
            if folder.startswith(STAGE_PREFIX):
                yield (here / folder).relative_to(out).as_posix()
        folders[:] = sorted(f for f in folders if not f.startswith(STAGE_PREFIX))
        for name in sorted(names):
            match = _OLD_TEMPORARY.match(name)
            if match is not None and match.group("name") in ours:
                yield (here / name).relative_to(out).as_posix()


def _remove(out: Path, relative: str) -> None:
    path = out / relative
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _syncfs(directory: Path) -> None:
    """Flush the file system holding ``directory`` (``syncfs``; ``sync`` where it is missing)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if not _libc_syncfs(fd):
            os.sync()
    finally:
        os.close(fd)


def _libc_syncfs(fd: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    if syncfs(fd) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return True


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage_file(path: Path, content: bytes, mode: int) -> None:
    """Create ``path`` with ``mode`` (before any byte is written) and write ``content``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(content)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def write_files(files: list[RenderedFile], out: Path, *, prune: bool = False) -> Plan:
    """Write what changed, staged then renamed, the manifest last; prune if asked.

    Raises:
        RenderError: another render holds DIR past :data:`LOCK_TIMEOUT`, a destination is
            refused, or writing fails (while staging: DIR is left as it was).
    """
    try:
        make_dirs(out, DIR_MODE)
    except OSError as exc:
        raise RenderError(f"cannot create {out}: {exc.strerror or exc}") from None
    with _lock(out):
        leftovers = tuple(_leftovers(out, files))
        try:
            for relative in leftovers:
                _remove(out, relative)
        except OSError as exc:
            raise RenderError(f"cannot remove {out / relative}: {exc.strerror or exc}") from None
        carried = [] if prune else _carried(files, out)
        plan = _plan(files, out, prune=prune, leftovers=leftovers)
        todo = set(plan.created) | set(plan.changed) | set(plan.mode_changed)
        manifest = _manifest_file(files, carried)
        writes = [f for f in sorted(files, key=lambda f: f.path) if f.path in todo]
        if MANIFEST in todo or writes or (prune and plan.stale):
            writes.append(manifest)
        destinations = [_destination(out, f.path) for f in writes]
        if writes:
            _replace_all(out, writes, destinations, plan.stale if prune else ())
    return plan


def _destination(out: Path, relative: str) -> Path:
    """The checked destination of ``relative``: inside DIR, not a folder."""
    target = _resolve_inside(out, safe_relative(relative))
    if target.is_dir() and not target.is_symlink():
        raise RenderError(f"{target} is a folder; refusing to replace it")
    return target


def _replace_all(
    out: Path, writes: list[RenderedFile], destinations: list[Path], prune: Iterable[str]
) -> None:
    stage = out / f"{STAGE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    target = stage
    try:
        stage.mkdir(mode=0o700)
        device = stage.stat().st_dev
        for destination in destinations:
            if _existing_ancestor(destination.parent).stat().st_dev != device:
                raise RenderError(
                    f"{destination.parent} is on another file system than {out}; "
                    "files cannot be replaced atomically there"
                )
        staged = []
        for index, f in enumerate(writes):
            target = stage / f"{index:06d}"
            _stage_file(target, f.content, f.mode)
            staged.append(target)
        _syncfs(stage)
        folders = {out}
        for source, destination in zip(staged, destinations, strict=True):
            target = destination
            make_dirs(destination.parent, DIR_MODE)
            os.replace(source, destination)  # noqa: PTH105 - one atomic rename each
            folders.add(destination.parent)
        for stale in prune:
            target = _resolve_inside(out, safe_relative(stale))
            if target.is_file() and not target.is_symlink():
                target.unlink()
                folders.add(target.parent)
        for folder in sorted(folders):
            target = folder
            _fsync_dir(folder)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


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
    with _lock(out, shared=True):
        return _unified_diff(files, out)


def _unified_diff(files: list[RenderedFile], out: Path) -> str:
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
