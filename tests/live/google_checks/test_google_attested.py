"""A correct Google domain exits 0 once the facts no Google API exposes (OAuth client redirect
URIs, the consent screen, the delegation allow-list) are attested with suppressions; before,
it exits 3 (unknown), never 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.emulators.google import GoogleEmulator
from tests.live.conftest import Cli

ARGS = ("--online", "--as-of", "2026-06-01", "-f", "json")


def test_a_correct_domain_exits_0_with_its_unexposed_facts_attested(
    google: GoogleEmulator, write_google_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    env = google.environment()
    first = cli("validate", str(write_google_config()), *ARGS, env=env)
    assert first.code == 3
    findings = first.json()["findings"]
    # No error: the domain is right (the config's own advice may remain, as infos).
    assert [f for f in findings if f["status"] == "fail" and f["severity"] == "error"] == []
    attest = sorted({(f["object"], f["rule"]) for f in findings if f["status"] == "unknown"})
    assert {rule for _, rule in attest} == {
        "live-google-redirect-uris-unverifiable",
        "live-google-consent-screen-unverifiable",
        "live-google-delegation-unverifiable",
    }

    def attested(data: dict[str, Any]) -> None:
        for obj, rule in attest:
            kind, _, name = obj.partition(":")
            section = data["apps" if kind == "app" else "providers"][name]
            section.setdefault("suppress", []).append(
                {"rule": rule, "reason": "checked in the console on 2026-05-30",
                 "expires": "2026-12-31"}
            )  # fmt: skip

    second = cli("validate", str(write_google_config(attested)), *ARGS, env=env)
    statuses = {f["status"] for f in second.json()["findings"] if f["rule"].startswith("live-")}
    assert statuses == {"suppressed"}
    assert second.code == 0
