"""Every live rule, passing (the baseline tenant) and failing (one change to the tenant each),
through the real clients against the emulator."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.findings import Severity, Status
from mailoauth_cfg.live.rules import LIVE_RULES
from tests.emulators.microsoft import Scenario
from tests.live.conftest import Live

ERP = "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
RELAY = "3a9d5f21-6b7c-4d8e-9f0a-1b2c3d4e5f60"
DAEMON = "5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a"
DAEMON_SP = "7d8e9f0a-1b23-4c4d-8e5f-6a7b8c9d0e1f"
ERP_URI = "https://erp.contoso.com/core/modules/oauth/microsoft3_oauthcallback.php"


def test_baseline_passes_every_live_rule(live: Callable[..., Live]) -> None:
    result = live()
    assert result.findings == []
    tenant = result.fetched.snapshot.microsoft["contoso"]
    assert tenant.unavailable == {}
    # The rules had something to look at: every kind of fact was read.
    assert set(tenant.applications) == {ERP, RELAY, DAEMON}
    assert set(tenant.users) == {"erp@contoso.com", "noreply@contoso.com", "scanner@contoso.com"}
    assert tenant.transport_config is not None
    assert tenant.exchange_service_principals[DAEMON] is not None
    assert tenant.mailbox_permissions["scanner@contoso.com"]


def test_environment_ca_variables_do_not_matter(live: Callable[..., Live], tls: Any) -> None:
    # This machine presets SSL_CERT_FILE & co. to the system bundle; the provider's
    # ca_bundle is used explicitly, so the run works whatever they say.
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        assert os.environ.get(name) != tls.ca_file
    assert live().findings == []


def _remove(items: list[dict[str, Any]], **match: str) -> None:
    items[:] = [i for i in items if any(i.get(k) != v for k, v in match.items())]


def _app(s: Scenario, app_id: str) -> dict[str, Any]:
    return s.application(app_id)


Change = Callable[[Scenario], None]

CASES: dict[str, tuple[Change, set[str], str]] = {
    # rule id: (tenant change, failing rules expected, message fragment of the first rule)
    "live-ms-app-registration-missing": (
        lambda s: _remove(s.graph["applications"], appId=ERP),
        {"live-ms-app-registration-missing"},
        "AADSTS700016",
    ),
    "live-ms-service-principal-missing": (
        lambda s: _remove(s.graph["servicePrincipals"], appId=RELAY),
        {"live-ms-service-principal-missing"},
        "no service principal",
    ),
    "live-ms-service-principal-disabled": (
        lambda s: s.service_principal(ERP).update(accountEnabled=False),
        {"live-ms-service-principal-disabled"},
        "AADSTS7000112",
    ),
    "live-ms-redirect-uri-missing": (
        lambda s: _app(s, ERP)["web"].update(redirectUris=[]),
        {"live-ms-redirect-uri-missing"},
        "AADSTS50011",
    ),
    "live-ms-redirect-uri-wrong-platform": (
        lambda s: (
            _app(s, ERP)["web"].update(redirectUris=[]),
            _app(s, ERP)["spa"].update(redirectUris=[ERP_URI]),
        ),
        {"live-ms-redirect-uri-wrong-platform"},
        "under SPA, not under Web",
    ),
    "live-ms-redirect-uri-extra": (
        lambda s: _app(s, ERP)["web"]["redirectUris"].append(
            "https://old-erp.contoso.com/callback"
        ),
        {"live-ms-redirect-uri-extra"},
        "https://old-erp.contoso.com/callback",
    ),
    "live-ms-sign-in-audience": (
        lambda s: _app(s, ERP).update(signInAudience="AzureADMultipleOrgs"),
        {"live-ms-sign-in-audience"},
        "AzureADMultipleOrgs",
    ),
    "live-ms-public-client-flows": (
        lambda s: _app(s, RELAY).update(isFallbackPublicClient=False),
        {"live-ms-public-client-flows"},
        "AADSTS7000218",
    ),
    "live-ms-permission-not-requested": (
        lambda s: _app(s, ERP)["requiredResourceAccess"][0]["resourceAccess"].pop(),
        {"live-ms-permission-not-requested"},
        "IMAP.AccessAsUser.All",
    ),
    "live-ms-permission-not-consented": (
        lambda s: (
            s.graph["oauth2PermissionGrants"][0].update(scope="offline_access SMTP.Send"),
            _remove(
                s.graph["appRoleAssignments"], appRoleId="7146a1f0-8703-45b3-9eae-527a64c00995"
            ),
        ),
        {"live-ms-permission-not-consented"},
        "IMAP.AccessAsUser.All",
    ),
    "live-ms-secret-expiry": (
        lambda s: _app(s, ERP)["passwordCredentials"][0].update(endDateTime="2026-06-10T08:00:00Z"),
        {"live-ms-secret-expiry"},
        "2026-06-10",
    ),
    "live-ms-certificate-expiry": (
        lambda s: _app(s, DAEMON)["keyCredentials"][0].update(endDateTime="2026-05-01T00:00:00Z"),
        {"live-ms-certificate-expiry"},
        "expired on 2026-05-01",
    ),
    "live-ms-app-credentials": (
        lambda s: _app(s, ERP)["passwordCredentials"].append(
            {
                "customKeyIdentifier": None,
                "displayName": "old dolibarr",
                "endDateTime": "2026-01-31T08:00:00Z",
                "hint": "Zz9",
                "keyId": "1c8d2f3e-4e5b-4c6d-9e7f-8091a2b3c4d5",
                "secretText": None,
                "startDateTime": "2024-02-01T08:00:00Z",
            }
        ),
        {"live-ms-app-credentials"},
        "key ID 1c8d2f3e-4e5b-4c6d-9e7f-8091a2b3c4d5, hint Zz9",
    ),
    "live-ms-user-missing": (
        lambda s: _remove(s.graph["users"], userPrincipalName="noreply@contoso.com"),
        {"live-ms-user-missing"},
        "noreply@contoso.com",
    ),
    "live-ms-user-disabled": (
        lambda s: s.user("erp@contoso.com").update(accountEnabled=False),
        {"live-ms-user-disabled"},
        "AADSTS50057",
    ),
    "live-ms-user-unlicensed": (
        lambda s: s.user("noreply@contoso.com")["assignedPlans"][0].update(
            capabilityStatus="Deleted"
        ),
        {"live-ms-user-unlicensed"},
        "exchange:Deleted",
    ),
    "live-ms-address-not-primary": (
        lambda s: s.user("erp@contoso.com").update(
            proxyAddresses=["smtp:erp@contoso.com", "SMTP:compta@contoso.com"]
        ),
        {"live-ms-address-not-primary"},
        "primary address is compta@contoso.com",
    ),
    "live-ms-mailbox-type": (
        lambda s: s.mailbox("scanner@contoso.com").update(RecipientTypeDetails="UserMailbox"),
        {"live-ms-mailbox-type"},
        "declared a shared mailbox but is a user mailbox",
    ),
    "live-ms-smtp-auth-disabled": (
        lambda s: s.cas("noreply@contoso.com").update(SmtpClientAuthenticationDisabled=None),
        {"live-ms-smtp-auth-disabled", "live-ms-smtp-auth-drift"},
        "$null (inherit) → organisation Get-TransportConfig SmtpClientAuthenticationDisabled "
        "is $true → disabled",
    ),
    "live-ms-smtp-auth-drift": (
        lambda s: s.exchange["transportConfig"].update(SmtpClientAuthenticationDisabled=False),
        {"live-ms-smtp-auth-drift"},
        "declares smtp_auth: disabled",
    ),
    "live-ms-imap-pop-disabled": (
        lambda s: s.cas("erp@contoso.com").update(ImapEnabled=False),
        {"live-ms-imap-pop-disabled"},
        "IMAP is disabled for erp@contoso.com",
    ),
    "live-ms-exchange-service-principal": (
        lambda s: s.exchange["servicePrincipals"][0].update(
            ObjectId="a3c4d5e6-f708-4b92-8314-c5d6e7f8091a"
        ),
        {"live-ms-exchange-service-principal"},
        "the app registration's object ID",
    ),
    "live-ms-mailbox-permission-missing": (
        lambda s: _remove(s.exchange["mailboxPermissions"], User=DAEMON_SP),
        {"live-ms-mailbox-permission-missing"},
        "no FullAccess on scanner@contoso.com",
    ),
}


ELSEWHERE = {
    # Rules whose failing cases need a config change too, in their own module.
    "live-ms-delegate-access-missing": "test_delegates.py",
}


def test_every_live_rule_has_a_failing_case() -> None:
    # The Google rules have their own cases (tests/live/google_checks/test_google_rules.py).
    assert set(CASES) | set(ELSEWHERE) == {
        rule.id for rule in LIVE_RULES if rule.id.startswith("live-ms-")
    }
    here = Path(__file__).resolve().parent
    for rule_id, module in ELSEWHERE.items():
        assert rule_id in (here / module).read_text(encoding="utf-8")


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fails(rule_id: str, scenario: Scenario, live: Callable[..., Live]) -> None:
    change, expected, fragment = CASES[rule_id]
    change(scenario)  # the emulator serves the scenario object: changes show at once
    result = live()
    assert result.unknown == []
    assert result.rules == expected
    found = result.of(rule_id, Status.FAIL)
    assert found, result.findings
    assert any(fragment in f.message for f in found), [f.message for f in found]
    assert all(f.fix for f in found)
    assert all(f.location.line > 0 for f in found)


def test_secret_key_id_not_registered(scenario: Scenario, live: Callable[..., Live]) -> None:
    scenario.application(ERP)["passwordCredentials"][0]["keyId"] = (
        "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
    )
    (finding,) = live().of("live-ms-secret-expiry")
    assert finding.severity is Severity.ERROR
    assert "key_id 0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4" in finding.message
    assert finding.location.path == "apps.erp-mail.client_secret"


def test_exchange_service_principal_not_registered(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.exchange["servicePrincipals"].clear()
    result = live()
    (finding,) = result.of("live-ms-exchange-service-principal")
    assert f"New-ServicePrincipal -AppId {DAEMON} -ObjectId {DAEMON_SP}" in finding.fix
    # The mailbox permissions are still matched through the Graph service principal's ID.
    assert result.of("live-ms-mailbox-permission-missing") == []


def test_alias_declared_as_the_mailbox(scenario: Scenario, live: Callable[..., Live]) -> None:
    def use_alias(data: dict[str, Any]) -> None:
        data["users"][0]["email"] = "factures@contoso.com"
        data["users"][0]["aliases"] = ["erp@contoso.com"]
        data["targets"]["erp"]["users"] = ["factures@contoso.com"]

    result = live(use_alias)
    assert result.rules == {"live-ms-address-not-primary"}
    (finding,) = result.of("live-ms-address-not-primary")
    assert "primary address is erp@contoso.com" in finding.message
    assert finding.fix.startswith("set email: erp@contoso.com")


def test_consent_accepted_on_either_resource(scenario: Scenario, live: Callable[..., Live]) -> None:
    # relay-mail requests SMTP.Send under Exchange Online (alt GUID) and its grant is on the
    # Exchange Online resource; move both to Microsoft Graph: still fine.
    relay = scenario.application(RELAY)
    relay["requiredResourceAccess"] = [
        {
            "resourceAppId": "00000003-0000-0000-c000-000000000000",
            "resourceAccess": [
                {"id": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "type": "Scope"},
                {"id": "258f6531-6087-4cc4-bb90-092c5fb3ed3f", "type": "Scope"},
            ],
        }
    ]
    scenario.graph["oauth2PermissionGrants"][1]["resourceId"] = (
        "4a1b8e7c-2d3f-4b5a-9c6d-7e8f9a0b1c2d"
    )
    assert live().findings == []


def test_suppressed_and_disabled_live_rules(scenario: Scenario, live: Callable[..., Live]) -> None:
    scenario.user("erp@contoso.com")["accountEnabled"] = False
    scenario.cas("erp@contoso.com")["ImapEnabled"] = False

    def settings(data: dict[str, Any]) -> None:
        data["users"][0]["suppress"] = [
            {"rule": "live-ms-user-disabled", "reason": "migration week, re-enabled on Monday"}
        ]
        data["rules"] = {"live-ms-imap-pop-disabled": {"severity": "off"}}

    result = live(settings)
    (suppressed,) = result.of("live-ms-user-disabled")
    assert suppressed.status is Status.SUPPRESSED
    assert suppressed.suppression is not None
    assert result.of("live-ms-imap-pop-disabled") == []


def test_rule_options_and_severity(scenario: Scenario, live: Callable[..., Live]) -> None:
    scenario.application(ERP)["passwordCredentials"][0]["endDateTime"] = "2026-07-20T00:00:00Z"

    def settings(data: dict[str, Any]) -> None:
        data["apps"]["erp-mail"]["client_secret"]["expires"] = "2026-07-20"
        data["rules"] = {
            "live-ms-secret-expiry": {"severity": "error", "options": {"lead_days": 60}}
        }

    (finding,) = live(settings).of("live-ms-secret-expiry")
    assert finding.severity is Severity.ERROR
    assert "in 49 days" in finding.message
