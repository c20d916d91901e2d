"""Exchange RBAC for Applications: an app-only app whose service principal holds the
``Application SMTP.SendAsApp`` role on a scope reaching its mailbox needs neither ``SendAs``
nor the ``SMTP.SendAsApp`` Entra role; a scope that misses the mailbox is an error naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mailoauth_cfg.findings import Status
from tests.emulators.microsoft import Fault, Scenario
from tests.live.conftest import Live

DAEMON = "5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a"
DAEMON_SP = "7d8e9f0a-1b23-4c4d-8e5f-6a7b8c9d0e1f"
SMTP_SEND_AS_APP = "7146a1f0-8703-45b3-9eae-527a64c00995"
RULE = "live-ms-mailbox-permission-missing"


def rbac_only(s: Scenario, restriction: str | None) -> None:
    """The daemon app sends through RBAC for Applications: no SendAs, no SMTP.SendAsApp role
    (as Exchange's onboarding guide asks), one role assignment on a scope (or organisation-wide
    with ``restriction=None``)."""
    s.exchange["recipientPermissions"] = [
        p for p in s.exchange["recipientPermissions"] if p["Trustee"] != DAEMON_SP
    ]
    s.graph["appRoleAssignments"] = [
        a for a in s.graph["appRoleAssignments"] if a["appRoleId"] != SMTP_SEND_AS_APP
    ]
    for access in s.application(DAEMON)["requiredResourceAccess"]:
        access["resourceAccess"] = [
            r for r in access["resourceAccess"] if r["id"] != SMTP_SEND_AS_APP
        ]
    assignment: dict[str, Any] = {
        "Name": "daemon-smtp",
        "Role": "Application SMTP.SendAsApp",
        "RoleAssignee": DAEMON_SP,
        "RoleAssigneeName": DAEMON_SP,
        "RoleAssigneeType": "ServicePrincipal",
        "RecipientWriteScope": "Organization",
        "Enabled": True,
    }
    if restriction is not None:
        assignment.update(
            CustomResourceScope="Mail apps", RecipientWriteScope="CustomRecipientScope"
        )
        s.exchange["managementScopes"].append(
            {
                "Name": "Mail apps",
                "Identity": "Mail apps",
                "RecipientRestrictionFilter": restriction,
            }
        )
    s.exchange["managementRoleAssignments"].append(assignment)


def declare_rbac(data: dict[str, Any]) -> None:
    """The config asks for the app's IMAP role only (SMTP goes through RBAC)."""
    data["apps"]["daemon-mail"]["permissions"] = ["IMAP.AccessAsApp"]


def test_a_scope_reaching_the_mailbox_needs_no_send_as(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    rbac_only(scenario, "PrimarySmtpAddress -eq 'scanner@contoso.com'")
    result = live(declare_rbac)
    assert result.findings == []


def test_targets_needing_smtp_accept_rbac_instead_of_the_entra_role(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    # Without `permissions:`, the targets' needs include SMTP.SendAsApp: RBAC stands in for it.
    rbac_only(scenario, None)

    def omitted(data: dict[str, Any]) -> None:
        del data["apps"]["daemon-mail"]["permissions"]

    assert live(omitted).findings == []


def test_group_scopes_are_evaluated_by_exchange(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    rbac_only(scenario, "MemberOfGroup -eq 'CN=rbac,OU=contoso.onmicrosoft.com,DC=COM'")
    scenario.mailbox("scanner@contoso.com")["MemberOfGroup"] = [
        "CN=rbac,OU=contoso.onmicrosoft.com,DC=COM"
    ]
    assert live(declare_rbac).findings == []


def test_a_scope_missing_the_mailbox_is_an_error_that_names_it(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    rbac_only(scenario, "CustomAttribute1 -eq 'mail-app'")
    result = live(declare_rbac)
    [found] = result.of(RULE)
    assert found.status is Status.FAIL
    assert "no SendAs on scanner@contoso.com" in found.message
    assert "does not reach it" in found.message
    assert "CustomAttribute1 -eq 'mail-app'" in found.message
    assert "Set-ManagementScope" in found.fix
    assert "Add-RecipientPermission -Identity scanner@contoso.com" in found.fix


def test_neither_model_offers_both_fixes(scenario: Scenario, live: Callable[..., Live]) -> None:
    scenario.exchange["recipientPermissions"] = [
        p for p in scenario.exchange["recipientPermissions"] if p["Trustee"] != DAEMON_SP
    ]
    [found] = live().of(RULE)
    assert "no RBAC for Applications role" in found.message
    assert "Add-RecipientPermission" in found.fix
    assert 'New-ManagementRoleAssignment -Role "Application SMTP.SendAsApp"' in found.fix


def test_an_unreadable_authorization_is_unknown(
    scenario: Scenario, live: Callable[..., Live], tenant: Any
) -> None:
    rbac_only(scenario, "PrimarySmtpAddress -eq 'scanner@contoso.com'")
    tenant.faults.add(Fault(route="exchange:Test-ServicePrincipalAuthorization", status=503))
    result = live(declare_rbac)
    assert [f.status for f in result.of(RULE)] == [Status.UNKNOWN]
    assert not [f for f in result.findings if f.status is Status.FAIL]


def test_a_suppression_of_the_offline_rule_reaches_its_live_twin(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.exchange["recipientPermissions"] = [
        p for p in scenario.exchange["recipientPermissions"] if p["Trustee"] != DAEMON_SP
    ]

    def suppressed(data: dict[str, Any]) -> None:
        data["apps"]["daemon-mail"]["suppress"] = [
            {"rule": "ms-mailbox-permission-missing", "reason": "sends through a relay scope"}
        ]

    [found] = live(suppressed).of(RULE)
    assert found.status is Status.SUPPRESSED
    assert found.suppression is not None
    assert found.suppression.reason == "sends through a relay scope"
