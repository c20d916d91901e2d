"""Every injected fault ends as ``unknown`` findings and exit code 3, never as a pass; transient
faults are retried (``Retry-After`` honoured) and end clean."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.findings import Status
from tests.emulators.microsoft import Fault, MicrosoftEmulator, Scenario
from tests.live.conftest import Cli, Live

USER_RULES = {
    "live-ms-user-missing",
    "live-ms-user-disabled",
    "live-ms-user-unlicensed",
    "live-ms-address-not-primary",
}
APP_RULES = {
    "live-ms-app-registration-missing",
    "live-ms-redirect-uri-missing",
    "live-ms-redirect-uri-wrong-platform",
    "live-ms-redirect-uri-extra",
    "live-ms-sign-in-audience",
    "live-ms-public-client-flows",
    "live-ms-permission-not-requested",
    "live-ms-secret-expiry",
    "live-ms-certificate-expiry",
}
CAS_RULES = {"live-ms-smtp-auth-disabled", "live-ms-smtp-auth-drift", "live-ms-imap-pop-disabled"}


def run(
    cli: Callable[..., Cli], tenant: MicrosoftEmulator, config: Path, **env: str
) -> tuple[int, list[dict[str, Any]]]:
    result = cli(
        "validate",
        str(config),
        "--online",
        "--as-of",
        "2026-06-01",
        "-f",
        "json",
        env={**tenant.environment(), **env},
    )
    return result.code, result.json()["findings"]


def unknown_rules(findings: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for f in findings if f["status"] == "unknown"}


def failing(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["status"] == "fail"]


FAULTS: dict[str, tuple[dict[str, Any], dict[str, str], set[str], str]] = {
    # name: (fault, extra environment, rules that must be unknown, reason fragment)
    "429-in-batch": (
        {"route": "users", "kind": "status", "status": 429, "retry_after": 0.01},
        {},
        USER_RULES,
        "HTTP 429 TooManyRequests",
    ),
    "429-in-batch-filtered": (
        {"route": "users:list", "kind": "status", "status": 429, "retry_after": 0.01},
        {"MAILOAUTH_CFG_LIVE_USER_FILTER_THRESHOLD": "1"},
        USER_RULES,
        "Retry-After 0.01 s",
    ),
    "503-batch-request": (
        {"route": "batch", "kind": "status", "status": 503, "scope": "request"},
        {},
        USER_RULES | APP_RULES,
        "HTTP 503 ServiceUnavailable",
    ),
    "503-partial-batch": (
        {"route": "applications", "kind": "status", "status": 503, "scope": "item"},
        {},
        APP_RULES,
        "HTTP 503",
    ),
    "timeout-exchange": (
        {"route": "exchange:Get-CASMailbox", "kind": "timeout", "seconds": 0.6},
        {"MAILOAUTH_CFG_LIVE_TIMEOUT": "0.2", "MAILOAUTH_CFG_LIVE_MAX_ATTEMPTS": "2"},
        CAS_RULES - {"live-ms-smtp-auth-drift"} | {"live-ms-smtp-auth-drift"},
        "timed out after 0.2 s",
    ),
    "reset-exchange": (
        {"route": "exchange:Get-CASMailbox", "kind": "reset"},
        {},
        CAS_RULES,
        "connection failed",
    ),
    "malformed-batch": (
        {"route": "batch", "kind": "malformed"},
        {},
        USER_RULES | APP_RULES,
        "malformed JSON response",
    ),
    "malformed-exchange": (
        {"route": "exchange:Get-TransportConfig", "kind": "malformed"},
        {},
        {"live-ms-smtp-auth-drift"},
        "malformed JSON response",
    ),
    "malformed-batch-item": (
        {"route": "servicePrincipals", "kind": "malformed", "scope": "item"},
        {},
        {"live-ms-service-principal-missing", "live-ms-service-principal-disabled"},
        "the body is not a JSON object",
    ),
    "retry-after-past-budget": (
        {"route": "applications", "kind": "status", "status": 429, "retry_after": 3600},
        {},
        APP_RULES,
        "Retry-After 3600 s",
    ),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_unknown_and_exit_3(
    name: str, tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    fault, env, rules, fragment = FAULTS[name]
    tenant.faults.add(Fault.from_dict(fault))
    started = time.monotonic()
    code, findings = run(cli, tenant, write_config(), **env)
    assert code == 3, findings
    assert failing(findings) == []
    assert rules <= unknown_rules(findings)
    unknown = [f for f in findings if f["status"] == "unknown"]
    assert any(fragment in f["message"] for f in unknown), [f["message"] for f in unknown]
    assert time.monotonic() - started < 20
    assert sum(tenant.faults.injected.values()) > 0


def test_retry_after_past_budget_gives_up_at_once(
    tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    tenant.faults.add(Fault(route="users", status=429, retry_after=3600))
    started = time.monotonic()
    code, _ = run(cli, tenant, write_config())
    assert code == 3
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "fault",
    [
        Fault(route="users", status=429, retry_after=0.3, times=1),
        Fault(route="mailboxSettings", status=503, retry_after=0.3, times=2),
        Fault(route="batch", status=429, retry_after=1, times=1, per="route", scope="request"),
        Fault(route="exchange:Get-CASMailbox", status=503, times=2),
        Fault(route="users", kind="latency", seconds=0.2),
    ],
    ids=["item-429", "item-503-twice", "batch-429-integer-retry-after", "exchange-503", "latency"],
)
def test_transient_fault_is_retried(
    fault: Fault,
    tenant: MicrosoftEmulator,
    write_config: Callable[..., Path],
    cli: Callable[..., Cli],
) -> None:
    tenant.faults.add(fault)
    started = time.monotonic()
    code, findings = run(cli, tenant, write_config())
    elapsed = time.monotonic() - started
    assert (code, findings) == (0, [])
    assert sum(tenant.faults.injected.values()) >= 1
    wait = fault.retry_after if fault.retry_after is not None else fault.seconds
    assert elapsed >= wait  # Retry-After (or the delay) was honoured, not skipped


def test_denied_permission_names_what_the_checker_needs(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.denied = ["oauth2PermissionGrants", "exchange"]
    result = live()
    assert result.rules == set()
    consent = result.of("live-ms-permission-not-consented", Status.UNKNOWN)
    assert consent, result.findings
    assert all(
        "DelegatedPermissionGrant.Read.All" in f.message for f in consent if "erp" in f.message
    )
    smtp = result.of("live-ms-smtp-auth-disabled", Status.UNKNOWN)
    assert len(smtp) == 3
    assert all("Exchange.ManageAsApp with the Global Reader role" in f.message for f in smtp)


def test_bad_credentials_are_one_incomplete_provider(
    tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    code, findings = run(cli, tenant, write_config(), AZURE_CLIENT_SECRET="wrong")
    assert code == 3
    (finding,) = findings
    assert finding["rule"] == "live-check-incomplete"
    assert finding["status"] == "unknown"
    assert "AADSTS7000215" in finding["message"]
    assert finding["location"]["path"] == "providers.contoso"


def test_token_endpoint_down(
    tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    tenant.faults.add(Fault(route="token", status=503))
    code, findings = run(cli, tenant, write_config())
    assert code == 3
    assert [f["rule"] for f in findings] == ["live-check-incomplete"]


def test_strict_guid_parsing_makes_a_malformed_object_unknown(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    app = scenario.application("1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b")
    app["passwordCredentials"][0]["keyId"] = "not-a-guid"
    result = live()
    assert result.rules == set()
    (finding,) = result.of("live-ms-secret-expiry")
    assert finding.status is Status.UNKNOWN
    assert "badly formed hexadecimal UUID string" in finding.message


def test_errors_win_over_unknown(
    scenario: Scenario,
    tenant: MicrosoftEmulator,
    write_config: Callable[..., Path],
    cli: Callable[..., Cli],
) -> None:
    scenario.user("erp@contoso.com")["accountEnabled"] = False
    tenant.faults.add(Fault(route="exchange:*", status=503))
    code, findings = run(cli, tenant, write_config())
    assert code == 1
    assert {f["rule"] for f in failing(findings)} == {"live-ms-user-disabled"}
    assert "live-ms-smtp-auth-disabled" in unknown_rules(findings)


def test_probabilistic_faults_are_deterministic(
    scenario: Scenario, tls: Any, tmp_path: Path, cli: Callable[..., Cli]
) -> None:
    from tests.live.conftest import config_text

    counts = []
    for _ in range(2):
        scenario.faults = [
            {
                "route": "*",
                "kind": "status",
                "status": 429,
                "retry_after": 0.01,
                "probability": 0.3,
                "scope": "item",
            }
        ]
        scenario.seed = 7
        with MicrosoftEmulator(scenario, tls) as emulator:
            path = tmp_path / "mailoauth.yaml"
            path.write_text(config_text(emulator), encoding="utf-8")
            code, _ = run(cli, emulator, path, MAILOAUTH_CFG_LIVE_MAX_ATTEMPTS="8")
            assert code == 0
            counts.append(dict(emulator.faults.injected))
    assert counts[0] == counts[1]
    assert sum(counts[0].values()) > 0
