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
   ``syncfs`` is missing), instead of one ``fsync`` per file. ``render`` opens the write
   (:class:`WriteSession`: steps 1 and 2) before rendering, and a forked stager writes the
   new files into the staging folder as they are rendered; the stager dies with the render,
   and the commit waits for it before the flush.
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
import functools
import gc
import hashlib
import json
import mmap
import os
import pickle
import re
import secrets
import shutil
import signal
import socket
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.fileio import make_dirs
from mailoauth_cfg.gcpause import gc_paused
from mailoauth_cfg.jsontext import dumps_indented, dumps_nested

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


def safe_path(path: str) -> str:
    """:func:`safe_relative` as text (``a/b``): checked without a path object when ``path`` is
    already in its normal form, as rendered paths are."""
    if _normal_parts(path) is not None:
        return path
    return str(safe_relative(path))


def _normal_parts(path: str) -> list[str] | None:
    """The parts of ``path`` when it is a safe relative path in its normal form, else ``None``
    (:func:`safe_relative` then decides, slower)."""
    if (
        path
        and path[0] != "/"
        and path[-1] != "/"
        and "//" not in path
        and "\x00" not in path
        and "\\" not in path
    ):
        parts = path.split("/")
        if "." not in parts and ".." not in parts:
            return parts
    return None


def _safe_parts(path: str | PurePosixPath) -> tuple[str, ...]:
    """:func:`safe_relative`'s parts of ``path``, without a path object for a normal one."""
    if isinstance(path, str):
        parts = _normal_parts(path)
        if parts is not None:
            return tuple(parts)
        path = safe_relative(path)
    return path.parts


def safe_relative(path: str) -> PurePosixPath:
    """Refuse absolute paths, ``..`` and empty parts: output stays inside DIR."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts):
        raise RenderError(f"output path {path!r} would leave the output directory")
    if any("\x00" in part or "\\" in part for part in pure.parts):
        raise RenderError(f"output path {path!r} contains a forbidden character")
    return pure


class _Tree:
    """Paths inside DIR for one operation, each folder checked once (not once per file).

    A folder is looked at with one ``lstat``; a symbolic link on the way must lead inside DIR;
    a folder that does not exist yet holds nothing, so files under it need no system call at
    all. The answers hold for one operation only (DIR may change between two renders).
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.root = out.resolve()
        self._folders: dict[tuple[str, ...], Path | None] = {(): self.root}

    def _refuse_outside(self, link: Path) -> Path:
        target = link.resolve()
        if not target.is_relative_to(self.root):
            raise RenderError(f"{link} is a symbolic link leading outside {self.out}; refusing")
        return target

    def folder(self, parts: tuple[str, ...]) -> Path | None:
        """The checked folder ``DIR/parts`` (links followed), or ``None`` if it does not exist."""
        if parts in self._folders:
            return self._folders[parts]
        parent = self.folder(parts[:-1])
        found: Path | None = None
        if parent is not None:
            current = parent / parts[-1]
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                st = None
            except OSError:  # not a folder on the way: the operation on it says so
                st = None
                found = current
            if st is not None:
                found = self._refuse_outside(current) if stat.S_ISLNK(st.st_mode) else current
        self._folders[parts] = found
        return found

    def entry(self, relative: PurePosixPath | str) -> tuple[Path, os.stat_result | None, bool]:
        """``(path, status, is_link)`` of ``DIR/relative``: its status (``None``: absent; a link
        inside DIR is followed), and whether it is a symbolic link itself. A text ``relative``
        is checked as :func:`safe_relative` checks it."""
        parts = _safe_parts(relative)
        folder = self.folder(parts[:-1])
        if folder is None:
            return self.root.joinpath(*parts), None, False
        path = folder / parts[-1]
        try:
            st: os.stat_result | None = os.lstat(path)
        except FileNotFoundError:
            return path, None, False
        except OSError:
            return path, None, False
        if st is not None and stat.S_ISLNK(st.st_mode):
            self._refuse_outside(path)
            try:
                return path, path.stat(), True
            except OSError:
                return path, None, True
        return path, st, False

    def path(self, relative: PurePosixPath) -> Path:
        """The checked path of ``DIR/relative`` (refused when a link on the way leads out)."""
        return self.entry(relative)[0]


def _resolve_inside(out: Path, relative: PurePosixPath) -> Path:
    """The path of ``out/relative``; refuse symlinks that lead outside ``out``."""
    return _Tree(out).path(relative)


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
    files = list(files)
    stale = list(stale)
    try:
        return _manifest_text(files, stale, recorded or {}).encode("utf-8")
    except ValueError:  # an entry json writes itself (a recorded entry of another shape)
        pass
    entries: list[dict[str, Any]] = [
        (recorded or {}).get(f.path) or manifest_entry(f) for f in files
    ]
    entries += [{**entry, "stale": True} for entry in stale]
    entries.sort(key=lambda e: str(e["path"]))
    document = {"version": 1, "generator": "mailoauth-cfg", "files": entries}
    return (dumps_indented(document) + "\n").encode("utf-8")


_PLAIN_ENTRY = (
    '    {\n      "mailbox": %s,\n      "mode": "%04o",\n      "path": %s,\n'
    '      "secret": false,\n      "sha256": "%s",\n      "target": %s\n    }'
)
"""The manifest entry of a file without secrets, as ``json.dumps(indent=2, sort_keys=True)``
writes it in the manifest (the texts are JSON-encoded first)."""


def _manifest_text(
    files: list[RenderedFile],
    stale: list[dict[str, Any]],
    recorded: dict[str, dict[str, Any]],
) -> str:
    """:func:`manifest_bytes`' text, the entries of files without secrets written from a
    pattern: a render of 10,000 mailboxes lists 30,000 files, and building a dict per file
    for the encoder took longer than the digests. The texts of all those entries are encoded
    in one call of the C encoder, cut apart on NUL (JSON escapes every control character)."""
    entries: list[tuple[str, str]] = []
    plain: list[tuple[int, RenderedFile]] = []
    for f in files:
        entry = recorded.get(f.path)
        if entry is None and not f.secret:
            plain.append((len(entries), f))
            entries.append((f.path, ""))
            continue
        entry = entry or manifest_entry(f)
        entries.append((str(entry["path"]), "    " + dumps_nested(entry, 2)))
    for entry in stale:
        stale_entry = {**entry, "stale": True}
        entries.append((str(stale_entry["path"]), "    " + dumps_nested(stale_entry, 2)))
    if not entries:
        raise ValueError("an empty manifest: json writes it")
    if plain:
        texts = json.dumps(
            [text for _, f in plain for text in (f.mailbox, f.path, f.target)],
            separators=("\x00", ":"),
        )[1:-1].split("\x00")
        for n, (index, f) in enumerate(plain):
            mailbox, path, target = texts[3 * n : 3 * n + 3]
            digest = hashlib.sha256(f.content).hexdigest()
            entries[index] = (f.path, _PLAIN_ENTRY % (mailbox, f.mode, path, digest, target))
    entries.sort(key=lambda e: e[0])
    body = ",\n".join(text for _, text in entries)
    return (
        '{\n  "files": [\n' + body + '\n  ],\n  "generator": "mailoauth-cfg",\n  "version": 1\n}\n'
    )


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


def _carried(
    files: list[RenderedFile],
    out: Path,
    *,
    tree: _Tree | None = None,
    previous: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Previous entries of files no longer produced that are still on disk (kept until pruned)."""
    produced = {f.path for f in files}
    tree = tree or _Tree(out)
    carried = []
    entries = _previous_entries(out) if previous is None else previous
    for path, entry in entries.items():
        if path in produced or path == MANIFEST:
            continue
        try:
            _, st, link = tree.entry(safe_relative(path))
        except RenderError:
            continue
        if st is not None and stat.S_ISREG(st.st_mode) and not link:
            entry = dict(entry)
            entry.pop("stale", None)
            carried.append(entry)
    return carried


def plan_write(files: list[RenderedFile], out: Path, *, prune: bool = False) -> Plan:
    """Compare the rendered files with DIR (without writing; waits for a render in progress)."""
    with _lock(out, shared=True):
        previous = _previous_entries(out)
        leftovers = tuple(_leftovers(out, files, previous))
        return _survey(files, out, _Tree(out), previous, prune=prune, leftovers=leftovers).plan


Entry = tuple[Path, "os.stat_result | None", bool]


@dataclass(frozen=True, slots=True)
class _Survey:
    """What writing would change, the manifest to write and where each file goes."""

    plan: Plan
    manifest: RenderedFile
    entries: dict[str, Entry]


def _survey(
    files: list[RenderedFile],
    out: Path,
    tree: _Tree,
    previous: dict[str, dict[str, Any]],
    *,
    prune: bool,
    leftovers: tuple[str, ...] = (),
) -> _Survey:
    """Compare each file with DIR: a file in a folder that does not exist costs no system
    call, one whose size differs is not read."""
    carried = [] if prune else _carried(files, out, tree=tree, previous=previous)
    manifest = _manifest_file(files, carried)
    created: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    mode_changed: list[str] = []
    entries: dict[str, Entry] = {}
    for f in [*files, manifest]:
        entry = tree.entry(f.path)
        entries[f.path] = entry
        path, st, _ = entry
        if st is None:
            created.append(f.path)
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size != len(f.content):
            changed.append(f.path)
            continue
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
            if (st.st_mode & 0o777) != f.mode:
                mode_changed.append(f.path)
    produced = {f.path for f in files}
    stale = [p for p in previous if p not in produced]
    plan = Plan(
        created=tuple(sorted(created)),
        changed=tuple(sorted(changed)),
        unchanged=tuple(sorted(unchanged)),
        stale=tuple(sorted(stale)),
        mode_changed=tuple(sorted(mode_changed)),
        leftovers=leftovers,
    )
    return _Survey(plan, manifest, entries)


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


def _leftovers(
    out: Path,
    files: Iterable[RenderedFile],
    previous: dict[str, dict[str, Any]] | None = None,
) -> Iterator[str]:
    """Temporary files and folders an interrupted render left in DIR (relative paths)."""
    if not out.is_dir():
        return
    ours = {f.path.rpartition("/")[2] for f in files} | {MANIFEST}
    known = _previous(out) if previous is None else list(previous)
    ours |= {p.rpartition("/")[2] for p in known}
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


def _stage_file(path: Path, content: bytes | memoryview, mode: int) -> None:
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
    with WriteSession(out) as session:
        return session.commit(files, prune=prune)


class WriteSession:
    """One write into DIR, opened before the render so that staging overlaps it.

    Opening makes DIR (and its missing parents: a render that fails removes them again, as
    long as they are empty), takes the exclusive lock and removes what an interrupted render left.
    :meth:`stage` hands the files rendered so far to a forked process that writes each file
    whose destination does not exist yet into the private staging folder while this process
    renders on: the file system's work runs on another core. :meth:`commit` then decides
    from DIR as it is (the batches only spare it writes): a file is taken from the staging
    folder only when it holds the very content object of the final list, the rest is staged
    then. It waits for the stagers, flushes once and renames, as :func:`write_files` always
    did. Leaving without a commit stops the stagers and removes the staging folder (and the
    folders this session made).
    """

    def __init__(self, out: Path, *, pipelined: bool = True) -> None:
        self.out = out
        # with SIGCHLD ignored (inherited from a parent process), children are reaped by the
        # kernel and a stager's outcome cannot be known: the commit stages everything then
        self._pipelined = pipelined and signal.getsignal(signal.SIGCHLD) != signal.SIG_IGN
        self._made: list[Path] = []
        self._lock: contextlib.ExitStack | None = None
        self._tree: _Tree | None = None
        self._previous: dict[str, dict[str, Any]] = {}
        self._leftovers: tuple[str, ...] = ()
        self._stage: Path | None = None
        self._staged: dict[str, tuple[Path, bytes, int]] = {}
        self._pending: list[RenderedFile] = []
        self._handed = 0
        self._stager: _Stager | None = None
        self._failure: str | None = None

    def __enter__(self) -> WriteSession:
        out = self.out
        missing: list[Path] = []  # DIR and its parents that do not exist yet, deepest first
        current = out
        while not current.exists() and not current.is_symlink() and current.parent != current:
            missing.append(current)
            current = current.parent
        try:
            make_dirs(out, DIR_MODE)
            self._made = missing
        except OSError as exc:
            raise RenderError(f"cannot create {out}: {exc.strerror or exc}") from None
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(_lock(out))
            self._previous = _previous_entries(out)
            self._leftovers = tuple(_leftovers(out, [], self._previous))
            relative = ""
            try:
                for relative in self._leftovers:
                    _remove(out, relative)
            except OSError as exc:
                raise RenderError(
                    f"cannot remove {out / relative}: {exc.strerror or exc}"
                ) from None
            self._tree = _Tree(out)
        except BaseException:
            stack.close()
            self._unmake()
            raise
        self._lock = stack
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._stop_stagers()
            if self._stage is not None:
                shutil.rmtree(self._stage, ignore_errors=True)
                self._stage = None
        finally:
            if self._lock is not None:
                self._lock.close()
                self._lock = None
            self._unmake()

    def _unmake(self) -> None:
        """Remove the folders this session made (each only while still empty)."""
        for folder in self._made:
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made = []

    def _stage_dir(self) -> Path:
        if self._stage is None:
            stage = self.out / f"{STAGE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            try:
                stage.mkdir(mode=0o700)
            except OSError as exc:
                raise RenderError(f"cannot write {stage}: {exc.strerror or exc}") from None
            self._stage = stage
        return self._stage

    def stage(self, files: Iterable[RenderedFile]) -> None:
        """Start writing ``files`` in the background (a file handed again replaces the earlier
        one; the commit uses a staged file only if it is the final one)."""
        if not self._pipelined or self._tree is None:
            return
        for f in files:
            _, st, link = self._tree.entry(f.path)
            if st is None and not link:  # the others are compared with DIR when committing
                self._pending.append(f)
        self._pump()

    def _pump(self, *, last: bool = False) -> None:
        """Send the pending files to the stager (started on first need); note its failure.
        ``last`` is the commit's call (nothing more will come)."""
        del last
        stager = self._stager
        if stager is not None and self._failure is None:
            self._failure = stager.failure()
        if not self._pending or self._failure is not None:
            return
        stage = self._stage_dir()
        start = self._handed  # a path handed again gets a new name: names are never reused
        batch = [
            (stage / f"b{start + index:06d}", f.content, f.mode)
            for index, f in enumerate(self._pending)
        ]
        try:
            if stager is None:
                stager = self._stager = _Stager.start()
            stager.send(batch)
        except OSError:  # no process to spare (a process limit), or the stager is gone
            if stager is not None and self._failure is None:
                self._failure = stager.failure()
            if self._failure is None and not self._staged:  # nothing handed yet: do it all
                self._pipelined = False
                self._pending = []
                self._stop_stagers()
            return
        for f, (name, content, mode) in zip(self._pending, batch, strict=True):
            self._staged[f.path] = (name, content, mode)
        self._handed += len(batch)
        self._pending = []

    def _wait_stagers(self) -> None:
        """Let the stager finish what it was sent and wait for it; raise the first error.
        The session forgets the stager only once it has ended: interrupted while waiting
        (^C), the session's exit still kills it before the staging folder is removed and
        DIR unlocked."""
        stager = self._stager
        if stager is not None:
            message = stager.finish()
            self._stager = None
            if message is not None and self._failure is None:
                self._failure = message
        if self._failure is not None:
            raise RenderError(self._failure)

    def _stop_stagers(self) -> None:
        stager, self._stager = self._stager, None
        if stager is not None:
            stager.kill()

    @gc_paused
    def commit(self, files: list[RenderedFile], *, prune: bool = False) -> Plan:
        """Write what changed (see :func:`write_files`); the session is done afterwards."""
        if self._tree is None:
            raise RenderError("the write session is not open")
        out, tree = self.out, self._tree
        self._pump(last=True)
        # temporary files of older versions are known by the names of the files they replace
        own = None if self._stage is None else self._stage.name
        late = [
            relative
            for relative in _leftovers(out, files, self._previous)
            if relative != own and relative not in self._leftovers
        ]
        relative = ""
        try:
            for relative in late:
                _remove(out, relative)
        except OSError as exc:
            raise RenderError(f"cannot remove {out / relative}: {exc.strerror or exc}") from None
        leftovers = (*self._leftovers, *late)
        survey = _survey(files, out, tree, self._previous, prune=prune, leftovers=leftovers)
        plan = survey.plan
        todo = set(plan.created) | set(plan.changed) | set(plan.mode_changed)
        writes = [f for f in sorted(files, key=lambda f: f.path) if f.path in todo]
        if MANIFEST in todo or writes or (prune and plan.stale):
            writes.append(survey.manifest)
        destinations = [_destination(survey.entries[f.path]) for f in writes]
        if writes:
            prestaged = {
                f.path: staged[0]
                for f in writes
                if (staged := self._staged.get(f.path)) is not None
                and staged[1] is f.content
                and staged[2] == f.mode
            }
            _replace_all(
                out,
                tree,
                writes,
                destinations,
                plan.stale if prune else (),
                stage=self._stage_dir(),
                prestaged=prestaged,
                wait=self._wait_stagers,
            )
        else:
            self._wait_stagers()
        self._made = []  # DIR is the render's now
        return plan


class _Stager:
    """A forked process writing the files it is sent into the staging folder, batch after
    batch, while the render goes on; it dies with the render.

    One process serves the whole render: forked once, it shares the render's memory only as it
    was then, and the render copies each page it writes to afterwards at most once (a process
    forked for each batch would have it copy them again for every batch). A batch comes as an
    anonymous memory file (its index, then the contents), passed over a socket; it never lies
    on disk, though a file may hold a secret. The first error ends the process, with its
    message on a pipe.
    """

    def __init__(self, pid: int, channel: socket.socket, errors: int) -> None:
        self.pid = pid
        self.channel = channel
        self.errors = errors
        self.status: int | None = None
        self.detail: str | None = None

    @classmethod
    def start(cls) -> _Stager:
        """Fork the stager."""
        prctl = _prctl()  # looked up here: the child only calls it
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        read_end, write_end = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            for fd in (read_end, write_end):
                os.close(fd)
            ours.close()
            theirs.close()
            raise
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            code = 0
            try:
                _close_all_but(theirs.fileno(), write_end)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                if prctl is not None:  # dies with the render: prctl(PR_SET_PDEATHSIG, SIGKILL)
                    prctl(1, int(signal.SIGKILL), 0, 0, 0)
                if os.getppid() != parent:
                    os._exit(3)
                code = _serve(theirs, write_end)
            except BaseException:
                code = 2
            finally:
                os._exit(code)
        theirs.close()
        os.close(write_end)
        return cls(pid, ours, read_end)

    def send(self, batch: list[tuple[Path, bytes, int]]) -> None:
        """Hand ``batch`` (destination, content, mode) over; raises OSError if it cannot."""
        index = pickle.dumps(
            [(str(target), mode, len(content)) for target, content, mode in batch],
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        data = memoryview(
            b"".join([len(index).to_bytes(8, "little"), index, *(c for _, c, _ in batch)])
        )
        memory = os.memfd_create("mailoauth-cfg-stage", os.MFD_CLOEXEC)
        try:
            while data:
                data = data[os.write(memory, data) :]
            socket.send_fds(self.channel, [b"b"], [memory])
        finally:
            os.close(memory)

    def failure(self) -> str | None:
        """The stager's error if it has ended (``None``: still running, or ended well)."""
        if self.status is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: its outcome is unknown, a failure
                done, status = self.pid, 1 << 8
            if done == 0:
                return None
            self.status = status
        return self._message()

    def finish(self) -> str | None:
        """Tell the stager nothing more comes, wait for it; its error (``None``: all written)."""
        with contextlib.suppress(OSError):
            self.channel.shutdown(socket.SHUT_WR)
        self.channel.close()
        if self.status is None:
            try:
                _, self.status = os.waitpid(self.pid, 0)
            except ChildProcessError:
                self.status = 1 << 8
        return self._message()

    def kill(self) -> None:
        """Stop the stager at once (the render is abandoned)."""
        if self.status is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        self.finish()

    def _message(self) -> str | None:
        """The ended stager's error, read once from its pipe (which is then closed)."""
        if self.errors >= 0 and self.status is not None:
            self.detail = _outcome(self.status, self.errors)
            self.errors = -1
        return self.detail


def _close_all_but(*keep: int) -> None:  # pragma: no cover - in the stager
    """Close every descriptor of this forked process but standard input, output, error and
    ``keep``. A fork copies them all (close-on-exec applies to an exec only): the stager would
    otherwise hold the render's other channels, such as a render helper's answer, a memory
    file as large as the helper's share of the files, until the render ends. The collector
    stays off from here: an object of the render's that owns a descriptor closed here must
    never be finalized in this process (it would close whatever file took that number)."""
    gc.disable()
    try:
        names = [entry.name for entry in Path("/proc/self/fd").iterdir()]
    except OSError:  # no /proc: close what the descriptor limit allows
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        names = [str(fd) for fd in range(3, min(soft, 65536))]
    for fd in map(int, names):
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _serve(channel: socket.socket, errors: int) -> int:  # pragma: no cover - in the stager
    """The stager's loop: write each batch received on ``channel`` until it is closed."""
    while True:
        _, fds, _, _ = socket.recv_fds(channel, 1, 1)
        if not fds:
            return 0
        with contextlib.ExitStack() as stack:
            stack.callback(os.close, fds[0])
            data = stack.enter_context(mmap.mmap(fds[0], 0, prot=mmap.PROT_READ))
            view = stack.enter_context(memoryview(data))
            size = int.from_bytes(view[:8], "little")
            offset = 8 + size
            target = ""
            try:
                for target, mode, length in pickle.loads(view[8:offset]):  # noqa: S301 - ours
                    _stage_file(Path(target), view[offset : offset + length], mode)
                    offset += length
            except OSError as exc:
                os.write(errors, f"cannot write {target}: {exc.strerror or exc}".encode())
                return 1


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (``None`` where there is none): a stager never outlives the render."""
    try:
        import ctypes

        function: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return function


def _outcome(status: int, errors: int) -> str | None:
    """A finished stager's error message (``None``: it wrote its batch); closes its pipe."""
    try:
        message = os.read(errors, 4096).decode("utf-8", "replace")
    finally:
        os.close(errors)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return None
    return message or f"a staging process failed (status {code}); nothing was written"


def _destination(entry: Entry) -> Path:
    """The checked destination of a file (:meth:`_Tree.entry`): not a folder."""
    target, st, link = entry
    if st is not None and stat.S_ISDIR(st.st_mode) and not link:
        raise RenderError(f"{target} is a folder; refusing to replace it")
    return target


def _replace_all(
    out: Path,
    tree: _Tree,
    writes: list[RenderedFile],
    destinations: list[Path],
    prune: Iterable[str],
    *,
    stage: Path,
    prestaged: dict[str, Path],
    wait: Callable[[], None],
) -> None:
    target = stage
    try:
        device = stage.stat().st_dev
        folders = dict.fromkeys(d.parent for d in destinations)  # each checked, made once
        for folder in folders:
            if _existing_ancestor(folder).stat().st_dev != device:
                raise RenderError(
                    f"{folder} is on another file system than {out}; "
                    "files cannot be replaced atomically there"
                )
        staged = []
        for index, f in enumerate(writes):
            early = prestaged.get(f.path)
            if early is not None:
                staged.append(early)
                continue
            target = stage / f"{index:06d}"
            _stage_file(target, f.content, f.mode)
            staged.append(target)
        wait()  # the files staged in the background are complete
        _syncfs(stage)
        for folder in folders:
            target = folder
            make_dirs(folder, DIR_MODE)
        # the folders renamed into, and the ones made on the way (their names live in their
        # parents), are synced once the renames are done
        synced = {out, *folders}
        for folder in folders:
            synced.update(p for p in folder.parents if p.is_relative_to(tree.root))
        for source, destination in zip(staged, destinations, strict=True):
            target = destination
            os.replace(source, destination)  # noqa: PTH105 - one atomic rename each
        for stale in prune:
            target = tree.path(safe_relative(stale))
            if target.is_file() and not target.is_symlink():
                target.unlink()
                synced.add(target.parent)
        for folder in sorted(synced):
            target = folder
            _fsync_dir(folder)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from None


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
    tree = _Tree(out)
    previous = _previous_entries(out)
    manifest = _manifest_file(files, _carried(files, out, tree=tree, previous=previous))
    for f in sorted([*files, manifest], key=lambda f: f.path):
        path = tree.path(safe_relative(f.path))
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
    for stale in previous:
        if stale not in produced:
            chunks.append(f"--- a/{stale}\n+++ /dev/null\n@@ no longer produced @@\n")
    text = "".join(chunks)
    return text if text.endswith("\n") or not text else text + "\n"
