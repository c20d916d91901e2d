"""Run a write that pauses at a chosen point, so that a test can SIGKILL it right there.

    python -m tests.hardening.pause_run POINT NTH SCENARIO ARGS...

``POINT``
    In ``write_atomic`` (token store, reports): ``data``: half of the bytes are in the
    temporary file (flushed), the rest not written; ``rename``: the temporary file is complete
    and synced, the rename not done.
    In the render writer: ``stage``: half of the NTH staged file is written; ``sync``: every
    file is staged and flushed, nothing renamed yet; ``replace``: before the NTH rename into
    DIR (the last one is the manifest's); ``trace``: no pause, print each step as it happens.
``NTH``
    pause at the NTH such call of the process (1-based); earlier ones complete.
``SCENARIO``
    ``atomic PATH SIZE MODE``: ``write_atomic(PATH, SIZE bytes, mode=MODE (octal))``;
    ``store PATH REFRESH``: save a token record whose refresh token is ``REFRESH``;
    ``cli ARGS...``: ``mailoauth-cfg ARGS`` (for example ``render CONFIG --out DIR``).

When it pauses, the process prints ``PAUSED <file>`` on stdout and sleeps; it prints ``DONE``
if it finishes without pausing. Only ``mailoauth_cfg.fileio`` and
``mailoauth_cfg.rendering.writer`` see the hooks.
"""

from __future__ import annotations

import os
import sys
import time
import types
from pathlib import Path
from typing import Any

from mailoauth_cfg import fileio


def _pause(fd: int) -> None:
    sys.stdout.write(f"PAUSED {Path(f'/proc/self/fd/{fd}').readlink()}\n")
    sys.stdout.flush()
    time.sleep(3600)


class _HalfWriter:
    """A file whose first ``write`` stops (and pauses) halfway."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def write(self, data: bytes) -> int:
        half = len(data) // 2
        self._handle.write(data[:half])
        self._handle.flush()
        _pause(self._handle.fileno())
        return half  # pragma: no cover - killed while paused

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def install(point: str, nth: int) -> None:
    """Patch ``mailoauth_cfg.fileio``'s view of :mod:`os` to pause at ``point``."""
    calls = {"fdopen": 0, "fsync": 0}

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        calls["fdopen"] += 1
        handle = os.fdopen(fd, *args, **kwargs)
        if point == "data" and calls["fdopen"] == nth:
            return _HalfWriter(handle)
        return handle

    def fsync(fd: int) -> None:
        os.fsync(fd)
        calls["fsync"] += 1
        if point == "rename" and calls["fsync"] == nth:
            _pause(fd)

    proxy = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os)})
    proxy.fdopen = fdopen
    proxy.fsync = fsync
    fileio.os = proxy  # type: ignore[attr-defined]
    _install_writer(point, nth)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _install_writer(point: str, nth: int) -> None:
    """Patch the render writer's view of :mod:`os` and its ``syncfs``."""
    from mailoauth_cfg.rendering import writer

    calls = {"stage": 0, "replace": 0}
    original_stage = writer._stage_file

    def stage_file(path: Path, content: bytes, mode: int) -> None:
        calls["stage"] += 1
        if point == "stage" and calls["stage"] == nth:
            original_stage(path, content[: len(content) // 2], mode)
            _say(f"PAUSED {path}")
            time.sleep(3600)
        original_stage(path, content, mode)

    def replace(source: Any, destination: Any) -> None:
        calls["replace"] += 1
        if point == "trace":
            _say(f"TRACE replace {Path(destination).name}")
        if point == "replace" and calls["replace"] == nth:
            _say(f"PAUSED {destination}")
            time.sleep(3600)
        os.replace(source, destination)  # noqa: PTH105 - the writer's own call

    original_syncfs = writer._syncfs
    original_fsync_dir = writer._fsync_dir

    def syncfs(directory: Path) -> None:
        original_syncfs(directory)
        if point == "trace":
            _say("TRACE syncfs")
        if point == "sync":
            _say(f"PAUSED {directory}")
            time.sleep(3600)

    def fsync_dir(directory: Path) -> None:
        original_fsync_dir(directory)
        if point == "trace":
            _say("TRACE fsync-dir")

    proxy = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os)})
    proxy.replace = replace
    writer.os = proxy  # type: ignore[attr-defined]
    writer._stage_file = stage_file  # type: ignore[assignment]
    writer._syncfs = syncfs  # type: ignore[assignment]
    writer._fsync_dir = fsync_dir  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    point, nth, scenario, *args = argv
    install(point, int(nth))
    if scenario == "atomic":
        path, size, mode = args
        fileio.write_atomic(path, b"n" * int(size), mode=int(mode, 8))
    elif scenario == "store":
        from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord

        path, refresh = args
        TokenLocation(Path(path)).save(
            TokenRecord(user="alice@example.test", refresh_token=refresh, access_token="a.b.c")
        )
    elif scenario == "cli":
        from mailoauth_cfg.cli import app

        app(args, standalone_mode=False)
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    sys.stdout.write("DONE\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
