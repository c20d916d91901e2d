"""fetch -> snapshot -> live rules -> findings.

:func:`fetch_snapshot` reads every provider of a config concurrently (Graph and Exchange of one
tenant concurrently too) and returns a :class:`~mailoauth_cfg.live.snapshot.Snapshot`;
:func:`check` runs the live rules over a config and a snapshot, fetched or loaded. Only
:func:`fetch_snapshot` imports the SDKs, inside the function.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailoauth_cfg.findings import Finding
from mailoauth_cfg.live.options import FetchOptions, Progress
from mailoauth_cfg.live.snapshot import Snapshot
from mailoauth_cfg.loading import SourceMap
from mailoauth_cfg.model import MailConfig, MicrosoftProvider

if TYPE_CHECKING:
    from mailoauth_cfg.live._retry import Stats


@dataclass
class FetchResult:
    """A snapshot and what it cost per provider (requests, retries, reads)."""

    snapshot: Snapshot
    stats: dict[str, Stats] = field(default_factory=dict)
    seconds: float = 0.0


async def fetch_async(
    config: MailConfig,
    *,
    root: Path | None = None,
    options: FetchOptions | None = None,
    credential_source: str = "auto",
    ca_bundle: str | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> FetchResult:
    """Read every Microsoft and Google provider of ``config`` concurrently (see
    :func:`fetch_snapshot`); a Google provider is read in a thread (its clients are sync)."""
    import time

    from mailoauth_cfg import __version__
    from mailoauth_cfg.live._retry import Budget
    from mailoauth_cfg.live.google.fetch import google_jobs
    from mailoauth_cfg.live.microsoft.credentials import connection
    from mailoauth_cfg.live.microsoft.fetch import fetch_microsoft_tenant
    from mailoauth_cfg.live.microsoft.needs import microsoft_needs

    started = time.perf_counter()
    env = dict(os.environ if environ is None else environ)
    opts = options or FetchOptions.from_env(env)
    budget = Budget(opts.deadline)
    needs = microsoft_needs(config)

    def reporter(name: str) -> Any:
        if progress is None:
            return None
        return lambda done, total: progress(name, done, total)

    names: list[str] = []
    jobs = []
    for name, need in needs.items():
        provider = config.providers[name]
        if need.empty or not isinstance(provider, MicrosoftProvider):
            continue
        names.append(name)
        jobs.append(
            fetch_microsoft_tenant(
                need,
                connection(provider, root=root, ca_bundle=ca_bundle, tenant=need.tenant),
                credential_source=credential_source,
                environ=env,
                options=opts,
                progress=reporter(name),
                budget=budget,
            )
        )
    google = google_jobs(
        config,
        root=root,
        ca_bundle=ca_bundle,
        environ=env,
        options=opts,
        progress=reporter,
        budget=budget,
    )
    results, google_results = await asyncio.gather(
        asyncio.gather(*jobs), asyncio.gather(*(job for _, job in google))
    )
    google_names = [name for name, _ in google]
    snapshot = Snapshot(
        tool_version=__version__,
        taken_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        microsoft={name: result.tenant for name, result in zip(names, results, strict=True)},
        google={r_name: r.domain for r_name, r in zip(google_names, google_results, strict=True)},
    )
    return FetchResult(
        snapshot=snapshot,
        stats={
            **{name: result.stats for name, result in zip(names, results, strict=True)},
            **{r_name: r.stats for r_name, r in zip(google_names, google_results, strict=True)},
        },
        seconds=time.perf_counter() - started,
    )


def fetch_snapshot(
    config: MailConfig,
    *,
    root: Path | None = None,
    options: FetchOptions | None = None,
    credential_source: str = "auto",
    ca_bundle: str | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> FetchResult:
    """Read what the config names from its live tenants; never raises for tenant problems
    (missing permissions, outages, throttling past the budget are recorded in the snapshot).
    The whole read ends by ``options.deadline`` (``--timeout``): what is not read by then is
    recorded as such, so the live rules report it ``unknown``.

    ``root`` resolves a relative provider ``ca_bundle:``; ``ca_bundle`` overrides it;
    ``credential_source`` is ``auto``, ``environment``, ``workload-identity`` or ``azure-cli``;
    ``environ`` defaults to ``os.environ`` (credential variables are read, never stored);
    ``options`` default to :meth:`FetchOptions.from_env` of it.
    """
    done: list[FetchResult] = []

    async def main() -> None:
        # The result is handed over outside the task: asyncio.run() formats its main task when
        # it restores the SIGINT handler, and the repr of a large snapshot costs seconds.
        done.append(
            await fetch_async(
                config,
                root=root,
                options=options,
                credential_source=credential_source,
                ca_bundle=ca_bundle,
                environ=environ,
                progress=progress,
            )
        )

    import gc

    # Tens of thousands of short-lived parse objects: collect less often while reading (the
    # default thresholds spend a tenth of the run in the collector for thousands of mailboxes).
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        asyncio.run(main())
    finally:
        gc.set_threshold(*thresholds)
    return done[0]


def check(
    config: MailConfig, marks: SourceMap, snapshot: Snapshot, *, as_of: dt.date
) -> list[Finding]:
    """The live findings of ``config`` against ``snapshot``."""
    from mailoauth_cfg.live.rules import run_live_rules

    return run_live_rules(config, marks, snapshot, as_of=as_of)


def online_findings(
    config: MailConfig,
    marks: SourceMap,
    snapshot: Snapshot,
    *,
    as_of: dt.date,
    offline: list[Finding],
) -> list[Finding]:
    """The findings of an ``--online`` (or ``--snapshot``) run: the offline findings that still
    stand, then the live ones.

    Live facts supersede offline guesses: an offline finding of a rule that a live rule
    ``supersedes`` (raised because a tenant fact was not declared, or an info such as "inherits
    SMTP AUTH") gives way once that live rule has decided the same object from facts read live,
    whether its verdict is a pass or its own finding. When the live facts could not be read, the
    offline finding stays.
    """
    from mailoauth_cfg.live.rules import LIVE_RULES, check_live

    result = check_live(config, marks, snapshot, as_of=as_of)
    twins: dict[str, list[str]] = {}
    for rule in LIVE_RULES:
        for offline_id in rule.supersedes:
            twins.setdefault(offline_id, []).append(rule.id)
    standing = [
        f
        for f in offline
        if f.object is None
        or not any((live_id, f.object.key) in result.decided for live_id in twins.get(f.rule, ()))
    ]
    return standing + result.findings


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read a saved snapshot. ``OSError`` or ``ValueError`` (with a readable message)."""
    return Snapshot.from_json(Path(path).read_bytes())


def save_snapshot(snapshot: Snapshot, path: str | os.PathLike[str]) -> None:
    """Write ``snapshot`` atomically (mode 0600: it names the tenant's objects)."""
    from mailoauth_cfg.fileio import write_atomic

    write_atomic(Path(path), snapshot.to_json().encode("utf-8"), mode=0o600)
