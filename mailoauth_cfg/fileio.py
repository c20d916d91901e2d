"""Atomic file writes: a reader sees the old bytes or the new bytes, never half of them.

Folders created on the way get an explicit mode whatever the umask: ``mkdir -p`` would create
them ``0777 & ~umask``, world-writable under ``umask 0``, letting any local user swap a file
before an administrator uses it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path, PurePosixPath

DIR_MODE = 0o755
_NOT_IN_A_NAME = re.compile("[/\\\\\x00-\x1f\x7f]")


def path_component(name: str) -> str:
    """``name`` if it is one safe path component (a file name from a value such as a mailbox).

    Raises:
        ValueError: empty, ``.`` or ``..``, a ``/`` or ``\\``, or a control character.
    """
    if name in ("", ".", ".."):
        raise ValueError(f"{name!r} is not a file name")
    found = _NOT_IN_A_NAME.search(name)
    if found is not None:
        raise ValueError(f"{name!r} cannot be a file name: it contains {found.group()!r}")
    return name


def child_path(folder: PurePosixPath, name: str) -> str:
    """``str(folder / name)`` for a ``name`` that :func:`path_component` accepted, without a
    path object per name (a target joins one per mailbox)."""
    base = str(folder)
    if base == ".":
        return name
    return base + name if base.endswith("/") else f"{base}/{name}"


def confined(root: str | os.PathLike[str], *names: str) -> Path:
    """``root/name...`` after checking each name is one component and that the folder holding
    the result stays inside ``root`` once symbolic links are resolved (the last name itself may
    be a link: atomic writes replace it rather than follow it).

    Raises:
        ValueError: a name is not a single component, or the path leads outside ``root``.
    """
    base = Path(root)
    path = base.joinpath(*(path_component(n) for n in names))
    real_root = base.resolve()
    if not path.parent.resolve().is_relative_to(real_root):
        raise ValueError(f"{path} leads outside {base}")
    return path


def make_dirs(path: str | os.PathLike[str], mode: int = DIR_MODE) -> None:
    """Create ``path`` and its missing parents with ``mode`` (existing folders are untouched)."""
    missing: list[Path] = []
    current = Path(path)
    while not current.exists() and not current.is_symlink():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=mode)
        except FileExistsError:  # created meanwhile by someone else: leave it as it is
            continue
        directory.chmod(mode)


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory + rename.

    The mode is set on the temporary file before any byte is written, so a secret-bearing
    file (``mode=0o600``) is never readable by others, whatever the umask.
    """
    target = Path(path)
    make_dirs(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
