"""Scale the baseline tenant and its config to N mailboxes, deterministically (benchmarks,
request-count tests).

``scaled(n)`` returns ``(scenario, config)``: the baseline scenario plus ``n`` licensed user
mailboxes (Graph user, mailbox settings, ``Get-CASMailbox`` and ``Get-Mailbox`` objects) and,
in the config, the same ``n`` users sent from by Postfix relays of ``relay-mail`` (100 each).
``unnamed`` adds mailboxes that exist in the tenant but not in the config (they lengthen the
Exchange listings). Everything passes every live rule.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import yaml

from tests.emulators.microsoft.scenario import Scenario, load_scenario

CONFIG = Path(__file__).resolve().parents[2] / "live" / "config.yaml"
NAMESPACE = uuid.UUID("0f5c3b8e-2a61-4d7e-9b0c-5e4f3a2b1c0d")
EXO_PLAN = "9aaf7827-d63c-4b61-89c3-182f06f82e5c"


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def add_mailbox(scenario: Scenario, address: str) -> None:
    """A licensed user mailbox with SMTP AUTH enabled, in Graph and Exchange."""
    oid = _guid("user", address)
    name = address.split("@")[0]
    scenario.graph["users"].append(
        {
            "id": oid,
            "userPrincipalName": address,
            "mail": address,
            "displayName": name,
            "proxyAddresses": [f"SMTP:{address}"],
            "accountEnabled": True,
            "userType": "Member",
            "assignedPlans": [
                {
                    "assignedDateTime": "2025-01-15T09:30:00Z",
                    "capabilityStatus": "Enabled",
                    "service": "exchange",
                    "servicePlanId": EXO_PLAN,
                }
            ],
            "mailboxSettings": {"userPurpose": "user"},
        }
    )
    guid = _guid("mailbox", address)
    common = {
        "Identity": name,
        "Name": name,
        "Guid": guid,
        "ExternalDirectoryObjectId": oid,
        "PrimarySmtpAddress": address,
        "EmailAddresses": [f"SMTP:{address}"],
    }
    scenario.exchange["casMailboxes"].append(
        {
            **common,
            "SmtpClientAuthenticationDisabled": False,
            "ImapEnabled": True,
            "PopEnabled": False,
        }
    )
    scenario.exchange["mailboxes"].append(
        {
            **common,
            "Alias": name,
            "UserPrincipalName": address,
            "RecipientTypeDetails": "UserMailbox",
        }
    )


def scaled(
    mailboxes: int, *, unnamed: int = 0, per_target: int = 100, latency: float = 0.0
) -> tuple[Scenario, dict[str, Any]]:
    """The baseline tenant and config with ``mailboxes`` more mailboxes."""
    scenario = load_scenario("baseline")
    scenario.latency = latency
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    addresses = [f"user{i:05d}@contoso.com" for i in range(mailboxes)]
    for address in addresses:
        add_mailbox(scenario, address)
        config["users"].append({"email": address, "provider": "contoso", "smtp_auth": "enabled"})
    for i in range(unnamed):
        add_mailbox(scenario, f"other{i:05d}@contoso.com")
    for start in range(0, len(addresses), per_target):
        config["targets"][f"relay-{start // per_target:03d}"] = {
            "type": "postfix-sasl-xoauth2",
            "app": "relay-mail",
            "users": addresses[start : start + per_target],
        }
    return scenario, config
