"""A config with a Microsoft 365 tenant and a Google Workspace domain: ``validate --online``
reads both at the same time (both emulators up) and writes one report; the saved snapshot
replays offline with the same findings and holds no secret."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.emulators._server import Request, Response
from tests.emulators.google import GoogleEmulator
from tests.emulators.microsoft import MicrosoftEmulator, Scenario
from tests.live.conftest import Cli, config_text
from tests.live.google_checks.conftest import google_data, quiet

LATENCY = 0.15


def record(emulator: MicrosoftEmulator | GoogleEmulator) -> list[float]:
    """Times at which ``emulator`` handles requests (after its latency)."""
    seen: list[float] = []
    lock = threading.Lock()
    handle = emulator.server.handler

    def recording(request: Request) -> Response:
        with lock:
            seen.append(time.monotonic())
        return handle(request)

    emulator.server.handler = recording
    emulator.server.latency = LATENCY
    return seen


@pytest.fixture
def both(tenant: MicrosoftEmulator, google: GoogleEmulator, tmp_path: Path) -> Path:
    """tests/live/config.yaml and tests/live/google_config.yaml in one config."""
    data = yaml.safe_load(config_text(tenant))
    extra = google_data(google, quiet)
    for section in ("providers", "apps", "targets"):
        data[section].update(extra[section])
    data["users"] += extra["users"]
    data["rules"] = extra["rules"]
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def validate(
    cli: Callable[..., Cli],
    config: Path,
    tenant: MicrosoftEmulator,
    google: GoogleEmulator,
    *args: str,
) -> tuple[int, list[dict[str, Any]]]:
    result = cli(
        "validate",
        str(config),
        "--as-of",
        "2026-06-01",
        "-f",
        "json",
        *args,
        env={**tenant.environment(), **google.environment()},
    )
    findings = [f for f in result.json()["findings"] if f["rule"].startswith("live-")]
    return result.code, findings


def test_both_providers_are_read_concurrently_into_one_report(
    both: Path,
    tenant: MicrosoftEmulator,
    google: GoogleEmulator,
    scenario: Scenario,
    cli: Callable[..., Cli],
) -> None:
    scenario.user("erp@contoso.com")["accountEnabled"] = False
    google.scenario.user("crm@acme.example")["suspended"] = True
    microsoft_times = record(tenant)
    google_times = record(google)
    code, findings = validate(cli, both, tenant, google, "--online")
    assert code == 1
    assert {(f["rule"], f["object"]) for f in findings if f["status"] == "fail"} == {
        ("live-ms-user-disabled", "user:erp@contoso.com"),
        ("live-google-user-suspended", "user:crm@acme.example"),
    }
    assert [f for f in findings if f["status"] == "unknown"] == []
    # Concurrent: each provider's requests started before the other's ended.
    assert microsoft_times
    assert google_times
    assert min(google_times) < max(microsoft_times)
    assert min(microsoft_times) < max(google_times)


def test_both_providers_clean_is_exit_0(
    both: Path, tenant: MicrosoftEmulator, google: GoogleEmulator, cli: Callable[..., Cli]
) -> None:
    code, findings = validate(cli, both, tenant, google, "--online")
    assert (code, findings) == (0, [])


def test_one_provider_unreadable_does_not_hide_the_other(
    both: Path, tenant: MicrosoftEmulator, google: GoogleEmulator, cli: Callable[..., Cli]
) -> None:
    google.scenario.user("crm@acme.example")["suspended"] = True
    result = cli(
        "validate",
        str(both),
        "--online",
        "--as-of",
        "2026-06-01",
        "-f",
        "json",
        env={**tenant.environment(), "AZURE_CLIENT_SECRET": "wrong", **google.environment()},
    )
    assert result.code == 1
    findings = [f for f in result.json()["findings"] if f["rule"].startswith("live-")]
    assert {(f["rule"], f["status"]) for f in findings} == {
        ("live-check-incomplete", "unknown"),
        ("live-google-user-suspended", "fail"),
    }


def test_saved_snapshot_replays_both_providers_offline(
    both: Path,
    tenant: MicrosoftEmulator,
    google: GoogleEmulator,
    cli: Callable[..., Cli],
    tmp_path: Path,
) -> None:
    google.scenario.gmail("crm@acme.example")["imap"]["enabled"] = False
    saved = tmp_path / "snapshot.json"
    online = validate(cli, both, tenant, google, "--online", "--save-snapshot", str(saved))
    assert online[0] == 1
    tenant.stop()
    google.stop()
    before = google.stats.total
    offline = validate(cli, both, tenant, google, "--snapshot", str(saved))
    assert offline == online
    assert google.stats.total == before
    text = saved.read_text(encoding="utf-8")
    assert '"google"' in text
    assert '"acme"' in text
    # No key, no token: neither the service account's private key nor an access token.
    assert "PRIVATE KEY" not in text
    assert "ya29." not in text
    assert google.key_id not in text
