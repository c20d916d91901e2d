"""How the Google fetcher reads: multipart batches of up to 50 calls (each with its own
mailbox's token), one token per mailbox whose Gmail settings are read, the same facts whatever
the strategy, with the request counts the design promises."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from mailoauth_cfg.live.google.batch import BATCH_LIMIT
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.live.rules import run_live_rules
from mailoauth_cfg.live.run import FetchResult, fetch_snapshot
from mailoauth_cfg.validation import validate_file
from tests.emulators.google import GoogleEmulator, Tls
from tests.emulators.google.synthetic import kind_of, scaled
from tests.live.conftest import AS_OF, FAST
from tests.live.google_checks.conftest import quiet


def run_scaled(
    tls: Tls, tmp_path: Path, mailboxes: int, options: FetchOptions
) -> tuple[FetchResult, GoogleEmulator, list[Any]]:
    scenario, config = scaled(mailboxes)
    emulator = GoogleEmulator(scenario, tls, key_dir=tmp_path / "keys").start()
    try:
        config["providers"]["acme"].update(emulator.provider())
        quiet(config)
        path = tmp_path / "mailoauth.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        validated = validate_file(path, as_of=AS_OF)
        assert validated.config is not None
        fetched = fetch_snapshot(validated.config, options=options, environ=emulator.environment())
        findings = run_live_rules(
            validated.config, validated.loaded.marks, fetched.snapshot, as_of=AS_OF
        )
    finally:
        emulator.stop()
    return fetched, emulator, findings


def facts(result: FetchResult) -> dict[str, Any]:
    data = result.snapshot.google["acme"].model_dump(exclude={"taken_at"})
    assert data["unavailable"] == {}
    return dict(data)


def test_batched_and_naive_read_the_same_facts(tls: Tls, tmp_path: Path) -> None:
    batched, _, findings = run_scaled(tls, tmp_path, 120, FAST)
    assert findings == []
    keep = ("timeout", "backoff", "max_backoff", "max_attempts", "max_retry_after")
    naive_options = FetchOptions.naive(**{k: getattr(FAST, k) for k in keep})
    naive, naive_emulator, _ = run_scaled(tls, tmp_path, 120, naive_options)
    assert facts(batched) == facts(naive)
    assert naive_emulator.stats.requests["batch"] == 0
    assert naive_emulator.stats.requests["directory:users.get"] == 125


def test_request_counts_follow_the_batch_arithmetic(tls: Tls, tmp_path: Path) -> None:
    mailboxes = 300
    fetched, emulator, findings = run_scaled(tls, tmp_path, mailboxes, FAST)
    assert findings == []
    kinds = [kind_of(i) for i in range(mailboxes)]
    gmail_users = 3 + sum(k in ("imap", "sender") for k in kinds)  # crm, helpdesk, archive
    directory_items = (mailboxes + 5) + (mailboxes + 4 - kinds.count("app-password"))
    directory_items += 1 + kinds.count("app-password")
    gmail_items = gmail_users  # one setting each in this mix
    items = emulator.stats.items
    assert sum(n for r, n in items.items() if r.startswith("directory:")) == directory_items
    assert sum(n for r, n in items.items() if r.startswith("gmail:")) == gmail_items
    floor = math.ceil(directory_items / BATCH_LIMIT) + math.ceil(gmail_items / BATCH_LIMIT)
    assert emulator.stats.requests["batch"] == floor
    # One token for the administrator, one per Gmail mailbox, one for Service Usage.
    assert emulator.stats.requests["token"] == gmail_users + 2
    stats = fetched.stats["acme"]
    assert stats.retries == 0
    assert stats.reads == directory_items + gmail_items + 1
