"""A shared mailbox signed in for by a delegate (``sign_in_as``): the delegate's FullAccess
(IMAP/POP) and SendAs (SMTP) on it are read live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mailoauth_cfg.findings import Status
from tests.emulators.microsoft import Fault, MicrosoftEmulator, Scenario
from tests.emulators.microsoft.synthetic import add_mailbox
from tests.live.conftest import Live

SHARED = "support@contoso.com"
DELEGATE = "erp@contoso.com"
RULE = "live-ms-delegate-access-missing"


@pytest.fixture
def shared(scenario: Scenario) -> Scenario:
    """``support@`` is a shared mailbox; erp@ holds FullAccess and SendAs on it."""
    add_mailbox(scenario, SHARED)
    scenario.user(SHARED).update(accountEnabled=False, assignedPlans=[])
    scenario.user(SHARED)["mailboxSettings"]["userPurpose"] = "shared"
    scenario.mailbox(SHARED)["RecipientTypeDetails"] = "SharedMailbox"
    scenario.exchange["mailboxPermissions"].append(
        {"Identity": "support", "User": DELEGATE, "AccessRights": ["FullAccess"],
         "IsInherited": False, "Deny": False}
    )  # fmt: skip
    scenario.exchange["recipientPermissions"].append(
        {"Identity": "support", "Trustee": DELEGATE, "AccessControlType": "Allow",
         "AccessRights": ["SendAs"], "IsInherited": False}
    )  # fmt: skip
    return scenario


def delegated(data: dict[str, Any]) -> None:
    """email-oauth2-proxy reads and sends as support@, erp@ signing in for it."""
    data["users"].append(
        {"email": SHARED, "provider": "contoso", "mailbox": "shared", "sign_in_as": DELEGATE}
    )
    data["targets"]["support-proxy"] = {
        "type": "email-oauth2-proxy",
        "app": "erp-mail",
        "users": [SHARED],
        "protocols": ["smtp", "imap"],
    }


def test_delegate_with_both_rights_passes(shared: Scenario, live: Callable[..., Live]) -> None:
    result = live(delegated)
    assert result.of(RULE) == []
    section = result.fetched.snapshot.microsoft["contoso"]
    assert section.mailbox_permissions[SHARED]
    assert section.recipient_permissions[SHARED]


@pytest.mark.parametrize(
    ("collection", "right", "effect"),
    [
        ("mailboxPermissions", "FullAccess", "IMAP/POP logins"),
        ("recipientPermissions", "SendAs", "SendAsDenied"),
    ],
)
def test_missing_right_is_an_error(
    collection: str, right: str, effect: str, shared: Scenario, live: Callable[..., Live]
) -> None:
    key = "User" if collection == "mailboxPermissions" else "Trustee"
    shared.exchange[collection] = [e for e in shared.exchange[collection] if e[key] != DELEGATE]
    [found] = live(delegated).of(RULE)
    assert found.status is Status.FAIL
    assert f"{DELEGATE} signs in for the shared mailbox {SHARED} but holds no {right}" in (
        found.message
    )
    assert effect in found.message
    assert f"-Identity {SHARED}" in found.fix
    assert found.location.path.endswith("sign_in_as")


def test_granted_under_another_name_passes(shared: Scenario, live: Callable[..., Live]) -> None:
    erp_id = shared.user(DELEGATE)["id"]
    for entry in shared.exchange["mailboxPermissions"]:
        if entry["User"] == DELEGATE:
            entry["User"] = erp_id
    assert live(delegated).of(RULE) == []


def test_unreadable_permissions_are_unknown(
    shared: Scenario, tenant: MicrosoftEmulator, live: Callable[..., Live]
) -> None:
    tenant.faults.add(Fault(route="exchange:Get-MailboxPermission", status=503))
    found = live(delegated).of(RULE)
    assert [f.status for f in found] == [Status.UNKNOWN]
