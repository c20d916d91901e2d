"""A permission the app needs has not been consented in the tenant.

**What.** For delegated apps declared ``admin_consent: true``: a tenant-wide grant
(``oAuth2PermissionGrant`` with ``consentType: AllPrincipals``) of the app's service principal,
on the Microsoft Graph or the Office 365 Exchange Online resource, must list each required
scope. For app-only apps: an app role assignment of each required role (``IMAP.AccessAsApp``…)
to the app's service principal. Delegated apps without ``admin_consent: true`` are skipped:
each user consents when the token is first obtained.

**Why.** Without the grant, users see a consent prompt they may not be allowed to accept
(``AADSTS65001``/``AADSTS90094``); without the role assignment, client-credentials tokens carry
no ``roles`` and Exchange refuses the login.

**Fix.** App registrations › <app> › API permissions › Grant admin consent for <tenant>
(``az ad app permission admin-consent --id <client-id>``), or the admin consent URL.

Source: https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant (grant fields,
consentType).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import admin_consent_url, get_cloud
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.rules._microsoft import required_permissions, resolve, resource_sp_ids
from mailoauth_cfg.live.snapshot import AppRoleAssignment, PermissionGrant, Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import portal


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Match required permissions with grants (delegated) or role assignments (app-only)."""
    for plan, tenant in microsoft_apps(ctx):
        app = plan.app
        app_only = app.flow == "app-only"
        if not app_only and app.admin_consent is not True:
            continue
        required = [r for r in required_permissions(plan) if (r.kind == "Role") == app_only]
        if not required:
            continue
        what = f"the consent of app {plan.name}"
        sp = tenant.service_principal(app.client_id)
        if isinstance(sp, Unknown):
            yield unknown(ctx, RULE, what, sp.reason, ("apps", plan.name), object=plan.object)
            continue
        if sp is None:
            continue  # live-ms-service-principal-missing reports it
        held = tenant.assignments_of(sp.id) if app_only else tenant.grants_of(sp.id)
        if isinstance(held, Unknown):
            yield unknown(ctx, RULE, what, held.reason, ("apps", plan.name), object=plan.object)
            continue
        assignments = [a for a in held if isinstance(a, AppRoleAssignment)]
        grants = [
            g
            for g in held
            if isinstance(g, PermissionGrant) and (g.consent_type or "").lower() == "allprincipals"
        ]
        resources = resource_sp_ids(tenant)
        consent_path = ("apps", plan.name, "admin_consent")
        url = admin_consent_url(
            get_cloud(tenant.cloud),
            tenant.tenant,
            app.client_id,
            scope=get_cloud(tenant.cloud).exchange_app_only_scope if app_only else None,
        )
        fix = (
            f"{portal(plan, 'API permissions', 'Grant admin consent')} (or `az ad app permission "
            f"admin-consent --id {app.client_id}`, or open {url})"
        )
        for need in required:
            if app_only:
                guids = {guid for _, guid in resolve(tenant, need).pairs}
                ok = any(
                    a.app_role_id.lower() in guids
                    and (resources is None or a.resource_id.lower() in resources)
                    for a in assignments
                )
                missing = "no app role assignment (admin consent) of the role"
            else:
                name = need.name.lower()
                ok = any(
                    name in g.scopes and (resources is None or g.resource_id.lower() in resources)
                    for g in grants
                )
                missing = "no tenant-wide (AllPrincipals) consent of the scope"
            if ok:
                continue
            yield finding(
                ctx,
                RULE,
                f"app {plan.name} has {missing} {need.name} on Microsoft Graph or Office 365 "
                "Exchange Online"
                + (
                    ": client-credentials tokens lack it and Exchange refuses the login"
                    if app_only
                    else ": users get a consent prompt (AADSTS65001) they may not accept"
                ),
                need.path if need.path[-1] != plan.name else consent_path,
                fix=fix,
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-permission-not-consented",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("app_role_assignments", "grants", "resources", "service_principals"),
)
