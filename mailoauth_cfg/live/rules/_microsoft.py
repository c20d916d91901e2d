"""Expectations of the Microsoft live rules, shared: which permissions an app must hold, which
GUIDs mean them in this tenant, who an app's service principal is in Exchange."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mailoauth_cfg.catalog.microsoft import EXCHANGE_APP_ID, GRAPH_APP_ID, Permission
from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.live.microsoft.exchange_roles import SMTP_ROLE
from mailoauth_cfg.live.snapshot import (
    ManagementRoleAssignment,
    MicrosoftTenant,
    PermissionTable,
    Unknown,
)
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rules.microsoft._common import (
    APP_ONLY_ROLES,
    effective_bootstrap,
    microsoft_targets,
    resolve_permission,
)

Kind = Literal["Scope", "Role"]


@dataclass(frozen=True, slots=True)
class Required:
    """A permission an app must hold, where the config says so, and who needs it."""

    permission: Permission
    path: PathKey
    needed_by: tuple[str, ...]
    """Target names (empty when the permission is declared in ``permissions:``)."""

    @property
    def kind(self) -> Kind:
        """``Scope`` (delegated) or ``Role`` (application)."""
        return "Scope" if self.permission.kind == "delegated" else "Role"

    @property
    def name(self) -> str:
        """Canonical name (``SMTP.Send``)."""
        return self.permission.name


def required_permissions(plan: AppPlan) -> list[Required]:
    """What the app must hold: its ``permissions:`` if written, else what its targets need.

    OIDC scopes (``openid``, ``offline_access``…) are left out: Entra grants them dynamically
    whether or not the registration lists them.
    """
    app = plan.app
    out: dict[str, Required] = {}
    if app.permissions is not None:
        for index, name in enumerate(app.permissions):
            found = resolve_permission(name, app.flow)
            if found is None or found.oidc:
                continue
            out.setdefault(
                f"{found.name}/{found.kind}",
                Required(found, ("apps", plan.name, "permissions", index), ()),
            )
        return list(out.values())
    needers: dict[str, tuple[Permission, list[str]]] = {}
    for target in microsoft_targets(plan):
        profile = target.microsoft
        if profile is None:
            continue
        if app.flow == "app-only":
            names = [APP_ONLY_ROLES[p] for p in target.protocols if p in APP_ONLY_ROLES]
        elif effective_bootstrap(target) == "client-credentials":
            continue
        else:
            names = list(profile.required_permissions(list(target.protocols)))
        for name in names:
            found = resolve_permission(name, app.flow)
            if found is None or found.oidc:
                continue
            key = f"{found.name}/{found.kind}"
            needers.setdefault(key, (found, []))[1].append(target.name)
    for found, targets in needers.values():
        out[f"{found.name}/{found.kind}"] = Required(
            found, ("apps", plan.name), tuple(sorted(set(targets)))
        )
    return list(out.values())


@dataclass(frozen=True, slots=True)
class Resolved:
    """The (resource appId, GUID) pairs that mean a permission in this tenant."""

    pairs: frozenset[tuple[str, str]]
    complete: bool
    """False when a resource's permission table could not be read (the tenant may use an ID
    the catalog does not know)."""
    reason: str = ""


def tables(tenant: MicrosoftTenant) -> tuple[dict[str, PermissionTable], str]:
    """Readable resource tables by resource appId, and why others are missing ("" if none)."""
    found: dict[str, PermissionTable] = {}
    reasons: list[str] = []
    for app_id in (GRAPH_APP_ID, EXCHANGE_APP_ID):
        table = tenant.resource(app_id)
        if isinstance(table, Unknown):
            reasons.append(table.reason)
        elif table is not None:
            found[app_id] = table
    return found, "; ".join(dict.fromkeys(reasons))


def resolve(tenant: MicrosoftTenant, required: Required) -> Resolved:
    """GUIDs of ``required`` on the Graph and Exchange Online resources: the tenant's own
    tables, plus the catalog's IDs (either registration is accepted)."""
    permission = required.permission
    pairs: set[tuple[str, str]] = {(permission.resource_app_id, permission.guid.lower())}
    if permission.alt_resource is not None:
        alt_app = EXCHANGE_APP_ID if permission.alt_resource == "exchange" else GRAPH_APP_ID
        pairs.update((alt_app, g.lower()) for g in permission.alt_guids)
    found, reason = tables(tenant)
    for app_id, table in found.items():
        pairs.update((app_id, guid) for guid in table.ids_of(permission.name, required.kind))
    return Resolved(frozenset(pairs), complete=not reason, reason=reason)


def resource_sp_ids(tenant: MicrosoftTenant) -> set[str] | None:
    """Object IDs of the Graph and Exchange Online service principals (``None`` if unknown)."""
    found, reason = tables(tenant)
    if reason:
        return None
    return {table.sp_id for table in found.values()}


def exchange_identities(tenant: MicrosoftTenant, client_id: str) -> set[str]:
    """Every name Exchange may show for the app's service principal in permission entries:
    Exchange object/identity/name, the Graph service principal's ID and name, the app ID."""
    ids = {client_id.lower()}
    exo = tenant.exchange_service_principal(client_id)
    if exo is not None and not isinstance(exo, Unknown):
        ids.update(v.lower() for v in (exo.object_id, exo.identity, exo.display_name) if v)
    sp = tenant.service_principal(client_id)
    if sp is not None and not isinstance(sp, Unknown):
        ids.update(v.lower() for v in (sp.id, sp.display_name) if v)
    return ids


def rbac_smtp(tenant: MicrosoftTenant, client_id: str) -> list[ManagementRoleAssignment] | Unknown:
    """The app's RBAC for Applications assignments of the SMTP role (``Application
    SMTP.SendAsApp``): Exchange then authorises sending as the mailboxes of their scope, without
    ``SendAs`` and without the ``SMTP.SendAsApp`` Entra role."""
    found = tenant.role_assignments_of(SMTP_ROLE)
    if isinstance(found, Unknown) or not found:
        return found
    names = exchange_identities(tenant, client_id)
    return [a for a in found if a.held_by(names)]


def rbac_replaces(tenant: MicrosoftTenant, plan: AppPlan, required: Required) -> bool:
    """Whether RBAC for Applications stands in for the required role: ``SMTP.SendAsApp`` of an
    app-only app that holds an ``Application SMTP.SendAsApp`` role assignment (the Entra role
    is then not needed, and Exchange's guidance is not to add it)."""
    if plan.app.flow != "app-only" or required.name.lower() != "smtp.sendasapp":
        return False
    held = rbac_smtp(tenant, plan.app.client_id)
    return isinstance(held, list) and bool(held)
