"""The live part of ``validate``: ``--online``, ``--snapshot FILE``, ``--save-snapshot FILE``.

Kept apart from :mod:`mailoauth_cfg.cli` so that the offline path never imports it. The SDKs are
imported further down, by :func:`mailoauth_cfg.live.run.fetch_async`, only for ``--online``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from mailoauth_cfg.validation import Validated


class LiveUsageError(Exception):
    """A usage problem (exit 2): unreadable snapshot, conflicting options."""


def _progress() -> Callable[[str, int, int], None] | None:
    """A one-line progress display on a terminal (stderr), at most ten updates a second."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(provider: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        sys.stderr.write(f"\r\x1b[2Kreading {provider}: {done}/{total}")
        if done >= total:
            sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()

    return show


def run_live(
    results: Sequence[Validated],
    *,
    as_of: dt.date,
    online: bool,
    snapshot_file: Path | None,
    save_file: Path | None,
    credential: str,
    ca_bundle: Path | None,
    timeout: float | None = None,
) -> None:
    """Add the live findings to each result (fetched, or from ``snapshot_file``); save the
    snapshot when asked. Raises :class:`LiveUsageError`."""
    from mailoauth_cfg.live.microsoft.credentials import CREDENTIAL_SOURCES
    from mailoauth_cfg.live.run import (
        fetch_snapshot,
        load_snapshot,
        online_findings,
        save_snapshot,
    )
    from mailoauth_cfg.live.snapshot import Snapshot

    if online and snapshot_file is not None:
        raise LiveUsageError("--online and --snapshot exclude each other")
    if save_file is not None and not online:
        raise LiveUsageError("--save-snapshot needs --online")
    if timeout is not None and not online:
        raise LiveUsageError("--timeout needs --online")
    if timeout is not None and not timeout >= 0:
        raise LiveUsageError(f"--timeout must be a number of seconds (0: no limit), not {timeout}")
    if credential not in CREDENTIAL_SOURCES:
        raise LiveUsageError(
            f"--credential must be one of {', '.join(CREDENTIAL_SOURCES)}, not {credential!r}"
        )
    loaded: Snapshot | None = None
    if snapshot_file is not None:
        try:
            loaded = load_snapshot(snapshot_file)
        except OSError as exc:
            raise LiveUsageError(f"cannot read {snapshot_file}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise LiveUsageError(f"{snapshot_file}: {exc}") from None
    if ca_bundle is not None and not ca_bundle.is_file():
        raise LiveUsageError(f"--ca-bundle {ca_bundle} is not a file")
    options = None
    if online:
        import os

        from mailoauth_cfg.live.options import FetchOptions

        try:
            options = FetchOptions.from_env(os.environ)
        except ValueError as exc:
            raise LiveUsageError(str(exc)) from None
        if timeout is not None:
            options = replace(options, deadline=timeout)
    taken = Snapshot()
    progress = _progress()
    started = time.monotonic()
    for result in results:
        if result.config is None:
            continue
        if loaded is not None:
            snapshot = loaded
        else:
            if options is not None and options.deadline > 0:
                # One budget for the whole run, whatever the number of configs.
                left = options.deadline - (time.monotonic() - started)
                options = replace(options, deadline=max(left, 0.001))
            snapshot = fetch_snapshot(
                result.config,
                root=result.loaded.root,
                options=options,
                credential_source=credential,
                ca_bundle=str(ca_bundle) if ca_bundle is not None else None,
                progress=progress,
            ).snapshot
            taken = taken.merged(snapshot).model_copy(
                update={"taken_at": snapshot.taken_at, "tool_version": snapshot.tool_version}
            )
        # Live facts supersede the offline guesses they decide (see online_findings).
        result.findings[:] = online_findings(
            result.config, result.loaded.marks, snapshot, as_of=as_of, offline=result.findings
        )
    if save_file is not None:
        try:
            save_snapshot(taken, save_file)
        except OSError as exc:
            raise LiveUsageError(f"cannot write {save_file}: {exc.strerror or exc}") from None
