"""A permission the app needs is not requested by its registration.

**What.** Each permission in ``apps.<name>.permissions`` (or, when omitted, each one its targets
need: delegated mail scopes, or for app-only apps the Exchange roles ``SMTP.SendAsApp``,
``IMAP.AccessAsApp``, ``POP.AccessAsApp``) must be in the registration's
``requiredResourceAccess``, under Microsoft Graph or Office 365 Exchange Online (both
registrations are accepted). IDs are resolved by name in the tenant's own permission tables,
plus the catalog's known IDs. OIDC scopes (``openid``, ``offline_access``…) are not checked:
Entra grants them dynamically.

**Why.** Admin consent (``.default``) grants only what the registration requests; a missing
permission ends in ``AADSTS65001`` (consent required) or a token without the scope, which the
mail server rejects (``535 5.7.3``, ``AUTHENTICATE failed``).

**Fix.** App registrations › <app> › API permissions › Add a permission, then grant consent.

Source: https://learn.microsoft.com/graph/api/resources/requiredresourceaccess;
merill/graph-permissions-explorer (permission IDs).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.rules._microsoft import rbac_replaces, required_permissions, resolve
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import add_permission_path, az_permission_add


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check that every required permission is in ``requiredResourceAccess``."""
    for plan, tenant in microsoft_apps(ctx):
        required = required_permissions(plan)
        if not required:
            continue
        app = tenant.application(plan.app.client_id)
        if isinstance(app, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the requested permissions of app {plan.name}",
                app.reason,
                ("apps", plan.name),
                object=plan.object,
            )
            continue
        if app is None:
            continue
        requested = {
            (a.resource_app_id.lower(), a.id.lower())
            for a in app.required_resource_access
            if a.type.lower() == "scope"
        }
        roles = {
            (a.resource_app_id.lower(), a.id.lower())
            for a in app.required_resource_access
            if a.type.lower() == "role"
        }
        for need in required:
            resolved = resolve(tenant, need)
            pool = requested if need.kind == "Scope" else roles
            if resolved.pairs & pool or rbac_replaces(tenant, plan, need):
                continue
            who = (
                f", needed by target{'s' if len(need.needed_by) > 1 else ''} "
                + ", ".join(need.needed_by)
                if need.needed_by
                else ""
            )
            kind = "delegated" if need.kind == "Scope" else "application"
            if not resolved.complete:
                yield unknown(
                    ctx,
                    RULE,
                    f"whether app {plan.name} requests {need.name} (the tenant may use an ID "
                    "the catalog does not know)",
                    resolved.reason,
                    need.path,
                    object=plan.object,
                )
                continue
            yield finding(
                ctx,
                RULE,
                f"app {plan.name} does not request the {kind} permission {need.name}{who}: "
                "consent cannot grant it, and tokens lack it",
                need.path,
                fix=f"{add_permission_path(plan, need.permission)} (or "
                f"`{az_permission_add(plan, need.permission)}`), then grant admin consent",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-permission-not-requested",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=(
        "applications",
        "exchange_service_principals",
        "resources",
        "role_assignments",
        "service_principals",
    ),
    impacts=((Severity.ERROR, "the registration lacks a needed permission: no usable token"),),
)
