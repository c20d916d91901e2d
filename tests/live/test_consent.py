"""Consent is decided from the tenant: tenant-wide and per-user grants, then the tenant's
user-consent policy (``policies/authorizationPolicy``) and its low-impact classifications,
whatever ``admin_consent`` says (or does not say) in the config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mailoauth_cfg.findings import ObjectRef, Severity, Status
from tests.emulators.microsoft import Scenario
from tests.live.conftest import Live

ERP_SP = "5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c9d"
GRAPH_SP = "4a1b8e7c-2d3f-4b5a-9c6d-7e8f9a0b1c2d"
ERP_USER = "8e9f0a1b-2c3d-4e5f-9a6b-7c8d9e0f1a2b"
RULE = "live-ms-permission-not-consented"


def policy(*assigned: str) -> dict[str, Any]:
    return {"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": list(assigned)}}


def no_admin_consent(s: Scenario) -> None:
    """The erp app's tenant-wide grant is gone (its per-user User.Read grant stays)."""
    s.graph["oauth2PermissionGrants"] = [
        g
        for g in s.graph["oauth2PermissionGrants"]
        if not (g["clientId"] == ERP_SP and g["consentType"] == "AllPrincipals")
    ]


def undeclared(data: dict[str, Any]) -> None:
    """The config says nothing about admin consent."""
    del data["apps"]["erp-mail"]["admin_consent"]


def classify_low(s: Scenario, *names: str) -> None:
    graph = s.service_principal("00000003-0000-0000-c000-000000000000")
    graph["delegatedPermissionClassifications"] = [
        {"id": f"c{i}", "permissionId": "258f6531-6087-4cc4-bb90-092c5fb3ed3f",
         "permissionName": name, "classification": "low"}
        for i, name in enumerate(names)
    ]  # fmt: skip


def erp_findings(result: Live) -> dict[str, tuple[Status, Severity, str]]:
    """``{permission: (status, severity, message)}`` of the erp app."""
    out = {}
    for f in result.of(RULE):
        assert f.object == ObjectRef.app("erp-mail")
        name = next(n for n in ("SMTP.Send", "IMAP.AccessAsUser.All") if n in f.message)
        out[name] = (f.status, f.severity, f.message)
    return out


def test_user_consent_disabled_is_an_error_even_if_the_config_says_nothing(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    no_admin_consent(scenario)
    scenario.authorization_policy = policy()  # no ManagePermissionGrantsForSelf.*: disabled
    found = erp_findings(live(undeclared))
    assert set(found) == {"SMTP.Send", "IMAP.AccessAsUser.All"}
    for status, severity, message in found.values():
        assert (status, severity) == (Status.FAIL, Severity.ERROR)
        assert "user consent is disabled in the tenant" in message
        assert "AADSTS65001" in message


def test_user_consent_allowed_is_info(scenario: Scenario, live: Callable[..., Live]) -> None:
    no_admin_consent(scenario)
    scenario.authorization_policy = policy(
        "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"
    )
    # The config claims admin consent: the tenant decides (and says it is not there).
    found = erp_findings(live())
    assert {v[:2] for v in found.values()} == {(Status.FAIL, Severity.INFO)}
    assert all("admin_consent says true" in v[2] for v in found.values())
    assert all("asked once" in v[2] for v in found.values())


def test_low_impact_policy_follows_the_classifications(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    no_admin_consent(scenario)
    classify_low(scenario, "SMTP.Send")  # the recommended setting is the emulator's default
    found = erp_findings(live(undeclared))
    assert found["SMTP.Send"][:2] == (Status.FAIL, Severity.INFO)
    assert found["IMAP.AccessAsUser.All"][:2] == (Status.FAIL, Severity.ERROR)
    assert "classified low impact" in found["IMAP.AccessAsUser.All"][2]


def test_per_user_consent_of_every_signer_is_consent(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    no_admin_consent(scenario)
    scenario.authorization_policy = policy()
    scenario.graph["oauth2PermissionGrants"].append(
        {
            "id": "perUserMail",
            "clientId": ERP_SP,
            "consentType": "Principal",
            "principalId": ERP_USER,
            "resourceId": GRAPH_SP,
            "scope": "SMTP.Send IMAP.AccessAsUser.All offline_access",
        }
    )
    assert live(undeclared).of(RULE) == []


def test_custom_policy_is_unknown(scenario: Scenario, live: Callable[..., Live]) -> None:
    no_admin_consent(scenario)
    scenario.authorization_policy = policy("ManagePermissionGrantsForSelf.contoso-mail-apps")
    found = erp_findings(live(undeclared))
    assert {v[0] for v in found.values()} == {Status.UNKNOWN}
    assert all("contoso-mail-apps" in v[2] for v in found.values())


@pytest.mark.parametrize(
    "policies", [(), ("ManagePermissionGrantsForSelf.microsoft-user-default-low",)]
)
def test_admin_consent_in_the_tenant_passes_whatever_the_config_says(
    policies: tuple[str, ...], scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.authorization_policy = policy(*policies)
    assert live(undeclared).of(RULE) == []


def test_unreadable_consent_policy_is_unknown_never_a_pass(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    no_admin_consent(scenario)
    scenario.denied.append("authorizationPolicy")
    [found] = live(undeclared).of(RULE)
    assert found.status is Status.UNKNOWN
    assert "could not check app erp-mail: the authorization policy: HTTP 403" in found.message
    assert "Policy.Read.All" in found.message
    assert "permissions" in found.fix
