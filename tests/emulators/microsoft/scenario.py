"""Scenario files: one tenant described in real Graph and Exchange JSON shapes.

```yaml
tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d
latency: 0.0                 # seconds before every answer (a round trip)
seed: 0                      # for probabilistic faults
clients:                     # identities allowed to get app-only tokens (the checker)
  - {client_id: 9a1c…, secret: s3cret}          # client secret
  - {client_id: 9a1c…, assertion: true}         # certificate or federated (JWT) assertion
denied: [mailboxSettings]    # routes answered 403 (missing permission)
home_tenants:                # other tenants holding app registrations (multi-tenant apps)
  8f3a…: [{appId: …, …}]
authorization_policy:        # GET /policies/authorizationPolicy (user consent)
  defaultUserRolePermissions:
    permissionGrantPoliciesAssigned: [ManagePermissionGrantsForSelf.microsoft-user-default-low]
graph:                       # Graph v1.0 objects as Graph returns them
  applications: [...]
  servicePrincipals: [...]   # Graph and Exchange Online resource SPs are added if absent
  oauth2PermissionGrants: [...]
  appRoleAssignments: [...]  # principalId = the assignee service principal's id
  users: [...]               # a user may carry "mailboxSettings": {"userPurpose": "shared"}
exchange:                    # InvokeCommand cmdlet outputs
  transportConfig: {SmtpClientAuthenticationDisabled: true}
  casMailboxes: [...]
  mailboxes: [...]
  servicePrincipals: [...]
  mailboxPermissions: [...]  # Identity = the mailbox (address or name)
  recipientPermissions: [...]
  managementRoleAssignments: [...]  # RBAC for Applications: Role, RoleAssignee, CustomResourceScope
  managementScopes: [...]    # Name, RecipientRestrictionFilter
faults: [{route: users, kind: status, status: 429, retry_after: 0.05, times: 1}]
```
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESOURCES = json.loads((HERE / "data" / "resources.json").read_text(encoding="utf-8"))
USER_CONSENT_LOW = {
    "allowInvitesFrom": "everyone",
    "defaultUserRolePermissions": {
        "allowedToCreateApps": True,
        "allowedToCreateSecurityGroups": True,
        "allowedToReadOtherUsers": True,
        "permissionGrantPoliciesAssigned": [
            "ManagePermissionGrantsForSelf.microsoft-user-default-low"
        ],
    },
}
"""Microsoft's recommended user-consent setting: apps from verified publishers or this
organisation, permissions classified low impact only."""


@dataclass
class Scenario:
    """One tenant (mutable: tests tweak it before or while the emulator runs)."""

    tenant: str
    clients: list[dict[str, Any]] = field(default_factory=list)
    graph: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    exchange: dict[str, Any] = field(default_factory=dict)
    denied: list[str] = field(default_factory=list)
    authorization_policy: dict[str, Any] = field(default_factory=lambda: dict(USER_CONSENT_LOW))
    home_tenants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Other tenants the checker may read: tenant ID -> the app registrations that live there
    (a multi-tenant app registered in another organisation)."""
    faults: list[dict[str, Any]] = field(default_factory=list)
    latency: float = 0.0
    seed: int = 0
    exchange_page_size: int = 1000

    def __post_init__(self) -> None:
        self.tenant = self.tenant.lower()
        self.home_tenants = {k.lower(): v for k, v in self.home_tenants.items()}
        for key in (
            "applications",
            "servicePrincipals",
            "oauth2PermissionGrants",
            "appRoleAssignments",
            "users",
        ):
            self.graph.setdefault(key, [])
        for key in (
            "casMailboxes",
            "mailboxes",
            "servicePrincipals",
            "mailboxPermissions",
            "recipientPermissions",
            "managementRoleAssignments",
            "managementScopes",
        ):
            self.exchange.setdefault(key, [])
        have = {sp.get("appId") for sp in self.graph["servicePrincipals"]}
        for sp in RESOURCES["servicePrincipals"]:
            if sp["appId"] not in have:
                self.graph["servicePrincipals"].append(copy.deepcopy(sp))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """From parsed scenario data (copied)."""
        return cls(**copy.deepcopy(data))

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """From a ``.json``, ``.yaml`` or ``.yml`` file."""
        text = Path(path).read_text(encoding="utf-8")
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
        return cls.from_dict(data)

    # -- lookups used by tests ----------------------------------------------------------------
    def application(self, app_id: str) -> dict[str, Any]:
        """The application with ``appId``."""
        return next(a for a in self.graph["applications"] if a["appId"] == app_id)

    def service_principal(self, app_id: str) -> dict[str, Any]:
        """The service principal with ``appId``."""
        return next(s for s in self.graph["servicePrincipals"] if s["appId"] == app_id)

    def user(self, upn: str) -> dict[str, Any]:
        """The user with this UPN."""
        return next(u for u in self.graph["users"] if u["userPrincipalName"].lower() == upn.lower())

    def cas(self, address: str) -> dict[str, Any]:
        """The CAS mailbox with this primary address."""
        return next(
            c
            for c in self.exchange["casMailboxes"]
            if c["PrimarySmtpAddress"].lower() == address.lower()
        )

    def mailbox(self, address: str) -> dict[str, Any]:
        """The mailbox with this primary address."""
        return next(
            m
            for m in self.exchange["mailboxes"]
            if m["PrimarySmtpAddress"].lower() == address.lower()
        )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario by file name in ``scenarios/`` (``baseline``) or by path."""
    path = Path(name_or_path)
    if not path.exists():
        for suffix in (".yaml", ".yml", ".json"):
            candidate = HERE / "scenarios" / f"{name_or_path}{suffix}"
            if candidate.exists():
                path = candidate
                break
    return Scenario.load(path)
