"""The snapshot: what the live tenants held when they were read. Plain data, JSON, versioned.

One :class:`Snapshot` holds one section per provider type, keyed by the provider's name in the
config: ``snapshot.microsoft["contoso"]`` (a :class:`MicrosoftTenant`) and
``snapshot.google["acme"]`` (a :class:`GoogleDomain`). Live rules are functions of the config
and a snapshot, so a saved snapshot (``validate --save-snapshot``) can be checked again offline
(``validate --snapshot``). The three states of a fact and the ``unavailable`` record are
described in :mod:`mailoauth_cfg.live.facts`; the models of each provider in
:mod:`mailoauth_cfg.live.microsoft.snapshot` and :mod:`mailoauth_cfg.live.google.snapshot`
(re-exported here).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from mailoauth_cfg.live.facts import NOT_FETCHED, FactModel, ProviderSnapshot, Unknown
from mailoauth_cfg.live.google.snapshot import (
    AppPassword,
    GoogleDomain,
    GoogleToken,
    GoogleUser,
    ImapSettings,
    PopSettings,
    SendAs,
)
from mailoauth_cfg.live.microsoft.snapshot import (
    Application,
    AppRoleAssignment,
    AssignedPlan,
    AuthorizationPolicy,
    CasMailbox,
    Credential,
    DirectoryUser,
    ExchangeServicePrincipal,
    Mailbox,
    MailboxPermission,
    MailboxSettings,
    ManagementRoleAssignment,
    ManagementScope,
    MicrosoftTenant,
    PermissionGrant,
    PermissionTable,
    RecipientPermission,
    ResourceAccess,
    ServicePrincipal,
    ServicePrincipalAuthorization,
    TransportConfig,
)
from mailoauth_cfg.model._base import new_dict

FORMAT = "mailoauth-cfg-snapshot"
VERSION = 1


class Snapshot(FactModel):
    """Everything fetched for one run: one section per provider, by the provider's name."""

    format: Literal["mailoauth-cfg-snapshot"] = "mailoauth-cfg-snapshot"
    version: Literal[1] = 1
    tool_version: str = ""
    taken_at: dt.datetime | None = None
    microsoft: dict[str, MicrosoftTenant] = Field(default_factory=new_dict)
    google: dict[str, GoogleDomain] = Field(default_factory=new_dict)

    def merged(self, other: Snapshot) -> Snapshot:
        """This snapshot with ``other``'s provider sections added (``other`` wins on clashes)."""
        return self.model_copy(
            update={
                "microsoft": {**self.microsoft, **other.microsoft},
                "google": {**self.google, **other.google},
            }
        )

    def to_json(self) -> str:
        """The JSON text written by ``--save-snapshot`` (stable key order)."""
        return self.model_dump_json(indent=1, exclude_defaults=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Snapshot:
        """Parse a saved snapshot; ``ValueError`` with a readable message when it is not one."""
        import json

        from pydantic import ValidationError

        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError(f'not a mailoauth-cfg snapshot (no "format": "{FORMAT}")')
        if raw.get("version") != VERSION:
            raise ValueError(
                f"snapshot version {raw.get('version')!r} is not supported (expected {VERSION})"
            )
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"invalid snapshot at {where}: {first['msg']}") from None


__all__ = [
    "FORMAT",
    "NOT_FETCHED",
    "VERSION",
    "AppPassword",
    "AppRoleAssignment",
    "Application",
    "AssignedPlan",
    "AuthorizationPolicy",
    "CasMailbox",
    "Credential",
    "DirectoryUser",
    "ExchangeServicePrincipal",
    "GoogleDomain",
    "GoogleToken",
    "GoogleUser",
    "ImapSettings",
    "Mailbox",
    "MailboxPermission",
    "MailboxSettings",
    "ManagementRoleAssignment",
    "ManagementScope",
    "MicrosoftTenant",
    "PermissionGrant",
    "PermissionTable",
    "PopSettings",
    "ProviderSnapshot",
    "RecipientPermission",
    "ResourceAccess",
    "SendAs",
    "ServicePrincipal",
    "ServicePrincipalAuthorization",
    "Snapshot",
    "TransportConfig",
    "Unknown",
]
