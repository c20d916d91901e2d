"""Every injected fault on the Google side ends as ``unknown`` findings and exit code 3, never as
a pass; transient faults are retried (``Retry-After`` honoured) and end clean."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.google import Fault, GoogleEmulator
from tests.live.conftest import Cli
from tests.live.google_checks.conftest import quiet

USER_RULES = {
    "live-google-user-missing",
    "live-google-user-suspended",
    "live-google-user-no-mailbox",
    "live-google-address-not-primary",
    "live-google-two-step-verification",
}
DIRECTORY_RULES = USER_RULES | {
    "live-google-consent-missing",
    "live-google-app-password-missing",
}
GMAIL_RULES = {"live-google-imap-pop-disabled", "live-google-send-as-missing"}


def run(
    cli: Callable[..., Cli], google: GoogleEmulator, config: Path, **env: str
) -> tuple[int, list[dict[str, Any]]]:
    result = cli(
        "validate",
        str(config),
        "--online",
        "--as-of",
        "2026-06-01",
        "-f",
        "json",
        env={**google.environment(), **env},
    )
    # The config has offline info/warning findings (a service account app used by no target,
    # a sender alias...): only the live ones are looked at.
    return result.code, [f for f in result.json()["findings"] if f["rule"].startswith("live-")]


def unknown_rules(findings: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for f in findings if f["status"] == "unknown"}


def failing(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["status"] == "fail"]


FAULTS: dict[str, tuple[dict[str, Any], dict[str, str], set[str], str]] = {
    # name: (fault, extra environment, rules that must be unknown, reason fragment)
    "429-in-batch": (
        {"route": "directory:users.get", "status": 429, "retry_after": 0.01, "scope": "item"},
        {},
        USER_RULES,
        "HTTP 429",
    ),
    "503-batch-request": (
        {"route": "batch", "status": 503, "scope": "request"},
        {},
        DIRECTORY_RULES | GMAIL_RULES,
        "Directory batch: HTTP 503",
    ),
    "500-service-usage": (
        {"route": "serviceusage:services.get", "status": 500},
        {},
        {"live-google-gmail-api-disabled"},
        "HTTP 500",
    ),
    "timeout-batch": (
        {"route": "batch", "kind": "timeout", "seconds": 0.6},
        {"MAILOAUTH_CFG_LIVE_TIMEOUT": "0.2", "MAILOAUTH_CFG_LIVE_MAX_ATTEMPTS": "2"},
        DIRECTORY_RULES | GMAIL_RULES,
        "timed out after 0.2 s",
    ),
    "timeout-service-usage": (
        {"route": "serviceusage:services.get", "kind": "timeout", "seconds": 0.6},
        {"MAILOAUTH_CFG_LIVE_TIMEOUT": "0.2", "MAILOAUTH_CFG_LIVE_MAX_ATTEMPTS": "2"},
        {"live-google-gmail-api-disabled"},
        "timed out after 0.2 s",
    ),
    "reset-batch": (
        {"route": "batch", "kind": "reset"},
        {},
        DIRECTORY_RULES | GMAIL_RULES,
        "connection failed",
    ),
    "malformed-batch": (
        {"route": "batch", "kind": "malformed"},
        {},
        DIRECTORY_RULES | GMAIL_RULES,
        "malformed batch response",
    ),
    "malformed-batch-item": (
        {"route": "gmail:getImap", "kind": "malformed", "scope": "item"},
        {},
        {"live-google-imap-pop-disabled"},
        "malformed JSON response",
    ),
    "malformed-service-usage": (
        {"route": "serviceusage:services.get", "kind": "malformed"},
        {},
        {"live-google-gmail-api-disabled"},
        "malformed JSON response",
    ),
    "retry-after-past-budget": (
        {"route": "directory:tokens.list", "status": 429, "retry_after": 3600, "scope": "item"},
        {},
        {"live-google-consent-missing"},
        "Retry-After 3600 s",
    ),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_unknown_and_exit_3(
    name: str,
    google: GoogleEmulator,
    write_google_config: Callable[..., Path],
    cli: Callable[..., Cli],
) -> None:
    fault, env, rules, fragment = FAULTS[name]
    google.faults.add(Fault.from_dict(fault))
    started = time.monotonic()
    code, findings = run(cli, google, write_google_config(quiet), **env)
    assert code == 3, findings
    assert failing(findings) == []
    assert rules <= unknown_rules(findings), unknown_rules(findings)
    unknown = [f for f in findings if f["status"] == "unknown"]
    assert any(fragment in f["message"] for f in unknown), [f["message"] for f in unknown]
    assert time.monotonic() - started < 20
    assert sum(google.faults.injected.values()) > 0


def test_token_endpoint_down_is_one_incomplete_provider(
    google: GoogleEmulator, write_google_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    google.faults.add(Fault(route="token", status=503, retry_after=0.01))
    code, findings = run(cli, google, write_google_config(quiet))
    assert code == 3
    (finding,) = findings
    assert finding["rule"] == "live-check-incomplete"
    assert finding["status"] == "unknown"
    assert "token endpoint: HTTP 503" in finding["message"]
    assert finding["location"]["path"] == "providers.acme"


def test_retry_after_past_budget_gives_up_at_once(
    google: GoogleEmulator, write_google_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    google.faults.add(Fault(route="batch", status=429, retry_after=3600, scope="request"))
    started = time.monotonic()
    code, _ = run(cli, google, write_google_config(quiet))
    assert code == 3
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "fault",
    [
        Fault(route="directory:users.get", status=429, retry_after=0.3, times=1, scope="item"),
        Fault(route="gmail:*", status=503, times=2, scope="item"),
        Fault(route="batch", status=503, retry_after=0.2, times=2, per="route", scope="request"),
        Fault(route="token", status=429, retry_after=0.2, times=1, per="route"),
        Fault(route="serviceusage:services.get", status=500, times=1),
        Fault(route="batch", kind="reset", times=1, per="route"),
        Fault(route="directory:*", kind="latency", seconds=0.02, scope="item"),
    ],
    ids=[
        "item-429",
        "gmail-items-503-twice",
        "batch-503-twice",
        "token-429",
        "service-usage-500",
        "batch-reset",
        "latency",
    ],
)
def test_transient_fault_is_retried(
    fault: Fault,
    google: GoogleEmulator,
    write_google_config: Callable[..., Path],
    cli: Callable[..., Cli],
) -> None:
    google.faults.add(fault)
    started = time.monotonic()
    code, findings = run(cli, google, write_google_config(quiet))
    elapsed = time.monotonic() - started
    assert (code, findings) == (0, [])
    assert sum(google.faults.injected.values()) >= 1
    wait = fault.retry_after if fault.retry_after is not None else fault.seconds
    assert elapsed >= wait  # Retry-After (or the delay) was honoured, not skipped


def test_errors_win_over_unknown(
    google: GoogleEmulator, write_google_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    google.scenario.user("crm@acme.example")["suspended"] = True
    google.faults.add(Fault(route="serviceusage:*", status=503))
    code, findings = run(cli, google, write_google_config(quiet))
    assert code == 1
    assert {f["rule"] for f in failing(findings)} == {"live-google-user-suspended"}
    assert "live-google-gmail-api-disabled" in unknown_rules(findings)
