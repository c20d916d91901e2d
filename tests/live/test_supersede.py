"""In an ``--online`` run, facts read live supersede the offline notes about them: a tenant
that is right exits 0 even when the config does not declare what the tenant holds. Offline,
what is not declared is unknown: one info each ("checked by --online"), never an error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailoauth_cfg.live.rules import LIVE_RULES
from mailoauth_cfg.rules import all_rules
from tests.emulators.microsoft import Fault, MicrosoftEmulator
from tests.live.conftest import Cli

ARGS = ("--as-of", "2026-06-01", "-f", "json")


def undeclared(data: dict[str, Any]) -> None:
    """The config no longer records what the tenant holds (all of it is in place)."""
    daemon = data["apps"]["daemon-mail"]
    del daemon["exchange_service_principal"]
    del daemon["admin_consent"]
    del data["apps"]["relay-mail"]["public_client_flows"]
    for user in data["users"]:
        user.pop("smtp_auth", None)  # inherit: the provider declares smtp_auth: disabled
    del data["apps"]["erp-mail"]["client_secret"]["expires"]


def rules_of(result: Cli, status: str = "fail") -> set[str]:
    return {f["rule"] for f in result.json()["findings"] if f["status"] == status}


def test_live_facts_replace_offline_guesses_and_a_right_tenant_exits_0(
    tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    config = str(write_config(undeclared))
    offline = cli("validate", config, *ARGS)
    assert offline.code == 0, "omitted facts are unknown offline: infos only"
    assert {f["severity"] for f in offline.json()["findings"]} == {"info"}
    guessed = rules_of(offline) | rules_of(offline, "unknown")
    assert {
        "ms-exchange-service-principal-missing",
        "ms-admin-consent-missing",
        "ms-public-client-flows-disabled",
        "user-smtp-auth-inherits-disabled",
    } <= guessed
    online = cli("validate", config, "--online", *ARGS, env=tenant.environment())
    assert online.json()["findings"] == []
    assert online.code == 0


def test_offline_guesses_stand_when_the_live_facts_cannot_be_read(
    tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    tenant.faults.add(Fault(route="exchange:*", status=503))
    config = str(write_config(undeclared))
    online = cli("validate", config, "--online", *ARGS, env=tenant.environment())
    failing = rules_of(online)
    # The offline notes stand (as infos) where Exchange could not be read...
    assert "ms-exchange-service-principal-missing" in failing
    assert "user-smtp-auth-inherits-disabled" in failing
    # ...what Graph could decide still gives way.
    assert "ms-admin-consent-missing" not in failing
    assert "ms-public-client-flows-disabled" not in failing
    assert online.code == 3, "what could not be read is unknown: exit 3, never 1"


def test_superseded_rules_exist() -> None:
    offline = {rule.id for rule in all_rules()}
    for rule in LIVE_RULES:
        assert set(rule.supersedes) <= offline, rule.id
