"""Small helpers shared by the Microsoft rules (not rules themselves).

Everything here is a pure function of a plan or of the catalog: how a target actually obtains
its token, which Entra platform that needs, how a permission name resolves for an app's flow,
and how fixes name portal paths and CLI commands.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from mailoauth_cfg.catalog.microsoft import (
    Permission,
    find_permissions,
    get_cloud,
)
from mailoauth_cfg.derive import AppPlan, TargetPlan
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.model import App, MicrosoftProvider
from mailoauth_cfg.rules._base import Context
from mailoauth_cfg.targets._facts import BootstrapKind

Platform = Literal["web", "public"]

APP_ONLY_ROLES: dict[str, str] = {
    "smtp": "SMTP.SendAsApp",
    "imap": "IMAP.AccessAsApp",
    "pop": "POP.AccessAsApp",
}
"""Office 365 Exchange Online application role each protocol needs with client credentials
(source: Microsoft's how-to for IMAP/POP/SMTP OAuth; catalog ``PERMISSIONS``)."""


def microsoft_apps(ctx: Context) -> list[AppPlan]:
    """Plans of the apps registered in a Microsoft provider, sorted by name."""
    return [p for p in ctx.app_plans() if p.provider_type == "microsoft"]


def microsoft_targets(plan: AppPlan) -> list[TargetPlan]:
    """Targets of an app that have a Microsoft profile, sorted by name."""
    return [t for t in plan.targets if t.microsoft is not None]


def tenant_of(plan: AppPlan | TargetPlan) -> str | None:
    """The tenant of the plan's Microsoft provider."""
    provider = plan.provider
    return provider.tenant if isinstance(provider, MicrosoftProvider) else None


def cloud_of(plan: AppPlan | TargetPlan) -> str:
    """The cloud key of the plan's Microsoft provider (``global`` when unknown)."""
    provider = plan.provider
    return provider.cloud if isinstance(provider, MicrosoftProvider) else "global"


def node(ctx: Context, path: PathKey, fallback: PathKey) -> tuple[PathKey, bool]:
    """``(path, False)`` when ``path`` is written in the YAML, else ``(fallback, True)``.

    Used to point at a key that may be omitted (``platform:``, ``admin_consent:``): the finding
    then sits on the key naming the object (``erp-mail:``) instead of its first child.
    """
    if path in ctx.marks.values:
        return path, False
    return fallback, True


def app_node(ctx: Context, name: str, key: str) -> tuple[PathKey, bool]:
    """Location of ``apps.<name>.<key>``, or of the ``<name>:`` key when it is omitted."""
    return node(ctx, ("apps", name, key), ("apps", name))


def effective_bootstrap(plan: TargetPlan) -> BootstrapKind | None:
    """How the target obtains its Microsoft token, its own flow settings applied (the
    plugin's :meth:`~mailoauth_cfg.targets.TargetPlugin.bootstrap`); ``None`` without a
    Microsoft profile."""
    return None if plan.microsoft is None else plan.bootstrap


def flow_node(ctx: Context, plan: TargetPlan) -> tuple[PathKey, bool]:
    """Where a target chooses its flow (``oauth_provider:``/``flow:``), else the target key."""
    for key in ("oauth_provider", "flow"):
        path: PathKey = ("targets", plan.name, key)
        if path in ctx.marks.values:
            return path, False
    return ("targets", plan.name), True


def app_platform(app: App) -> Platform:
    """The app's Entra platform; a Microsoft app written ``desktop`` is a public client."""
    return "web" if app.platform == "web" else "public"


def has_credential(app: App) -> bool:
    """Whether the app holds a client secret or a certificate."""
    return app.client_secret is not None or app.certificate is not None


def resolve_permission(name: str, flow: str | None) -> Permission | None:
    """The catalog permission a declared name means for an app of ``flow``.

    Names are friendly names without a kind (``Mail.Send`` exists as delegated and application):
    an ``app-only`` app means the application role when one exists, a delegated app the
    delegated scope; a name that exists with one kind only resolves to that kind.
    """
    found = find_permissions(name)
    if not found:
        return None
    preferred = "application" if flow == "app-only" else "delegated"
    for permission in found:
        if permission.kind == preferred:
            return permission
    return found[0]


def declared_permissions(app: App) -> list[tuple[int, str, Permission | None]]:
    """``(index, declared name, resolved permission)`` for each declared permission."""
    return [
        (index, name, resolve_permission(name, app.flow))
        for index, name in enumerate(app.permissions or [])
    ]


def declared_names(app: App) -> set[str]:
    """Lower-case canonical names of the declared permissions (unknown names as written)."""
    out: set[str] = set()
    for _, name, permission in declared_permissions(app):
        out.add((permission.name if permission is not None else name).lower())
    return out


def portal(plan: AppPlan, *steps: str) -> str:
    """``Entra admin center › App registrations › <name> (<client id>) › <steps>``."""
    head = f"Entra admin center › App registrations › {plan.name} ({plan.app.client_id})"
    return " › ".join((head, *steps))


def add_permission_path(plan: AppPlan, permission: Permission) -> str:
    """Portal path that adds ``permission`` to the registration."""
    api: tuple[str, ...]
    if permission.kind == "application" and permission.resource == "exchange":
        api = ("APIs my organization uses", "Office 365 Exchange Online", "Application permissions")
    elif permission.kind == "application":
        api = ("Microsoft Graph", "Application permissions")
    elif permission.oidc:
        api = ("Microsoft Graph", "Delegated permissions", "OpenId permissions")
    else:
        api = ("Microsoft Graph", "Delegated permissions")
    return portal(plan, "API permissions", "Add a permission", *api, permission.name)


def az_permission_add(plan: AppPlan, permission: Permission) -> str:
    """``az ad app permission add`` command for ``permission``."""
    return (
        f"az ad app permission add --id {plan.app.client_id} --api {permission.resource_app_id} "
        f"--api-permissions {permission.guid}={permission.access_type}"
    )


def az_permission_delete(plan: AppPlan, permission: Permission) -> str:
    """``az ad app permission delete`` command for ``permission``."""
    return (
        f"az ad app permission delete --id {plan.app.client_id} "
        f"--api {permission.resource_app_id} --api-permissions {permission.guid}"
    )


def exchange_connect(plan: AppPlan) -> str:
    """``Connect-ExchangeOnline`` for the app's cloud (with ``-ExchangeEnvironmentName``)."""
    cloud = get_cloud(cloud_of(plan))
    if cloud.key == "global":
        return "Connect-ExchangeOnline"
    return f"Connect-ExchangeOnline -ExchangeEnvironmentName {cloud.powershell_environment}"


def names(items: Iterable[str]) -> str:
    """``a, b and c`` from sorted, de-duplicated items."""
    unique = sorted(dict.fromkeys(items))
    if len(unique) <= 1:
        return "".join(unique)
    return ", ".join(unique[:-1]) + " and " + unique[-1]


def target_label(plan: TargetPlan) -> str:
    """``erp (dolibarr)``."""
    return f"{plan.name} ({plan.key})"


def target_list(items: Iterable[str]) -> str:
    """``target erp`` or ``targets cloud and erp``."""
    unique = sorted(dict.fromkeys(items))
    return ("target " if len(unique) == 1 else "targets ") + names(unique)


def sends_redirect(plan: TargetPlan) -> bool:
    """Whether the target's Microsoft sign-in actually sends its redirect URI.

    Client credentials and the device code flow send none, even when the target has a
    ``redirect_uri`` setting (email-oauth2-proxy keeps one for every flow).
    """
    return effective_bootstrap(plan) not in ("client-credentials", "device-code", None)


def expected_redirects(plan: AppPlan) -> dict[str, list[str]]:
    """Redirect URI → names of the targets that send it and need it registered (sorted)."""
    out: dict[str, list[str]] = {}
    for target in microsoft_targets(plan):
        uri = target.redirect_uri
        if uri is not None and target.must_register_redirect and sends_redirect(target):
            out.setdefault(uri, []).append(target.name)
    return {uri: sorted(found) for uri, found in sorted(out.items())}


def redirect_platform(app: App) -> str:
    """Portal name of the platform the app's redirect URIs are registered under."""
    return "Web" if app_platform(app) == "web" else "Mobile and desktop applications"


def targets_do(items: Iterable[str], singular: str, plural: str) -> str:
    """``target erp obtains`` or ``targets cloud and erp obtain``."""
    unique = sorted(dict.fromkeys(items))
    return f"{target_list(unique)} {singular if len(unique) == 1 else plural}"


def enterprise_object_id(plan: AppPlan) -> str:
    """Where the service principal's object ID is shown (not the app registration's)."""
    return (
        f"Entra admin center › Enterprise applications › {plan.name} (Application ID "
        f"{plan.app.client_id}) › Object ID"
    )
