"""A permission the app needs is not consented in the tenant, and users may not consent to it.

**What.** Decided from the tenant, whatever ``admin_consent`` says in the config:

* app-only apps: an app role assignment of each required role (``IMAP.AccessAsApp``…) to the
  app's service principal, else error;
* delegated apps, per required scope: a tenant-wide grant (``oAuth2PermissionGrant`` with
  ``consentType: AllPrincipals``) on Microsoft Graph or Office 365 Exchange Online, or a
  per-user grant (``Principal``) for every account that signs in for the app's targets, is
  consent. Without it, the tenant's user-consent setting decides (``GET
  /policies/authorizationPolicy``, ``permissionGrantPoliciesAssigned``):

  - user consent disabled (no ``ManagePermissionGrantsForSelf.*`` policy), or a permission
    only an administrator may grant (``User.Read.All``…): **error**;
  - ``microsoft-user-default-legacy``: users may consent: **info** (each user is asked once);
  - ``microsoft-user-default-low``: users may consent only to permissions the tenant classified
    *low impact* (``delegatedPermissionClassifications`` of the resource) of an app registered
    in this organisation: **info** when it is, **error** when it is not;
  - a custom policy: ``unknown`` (its conditions are not read): check by hand.

**Why.** Without consent, users loop on "Need admin approval" (``AADSTS65001`` /
``AADSTS90094``) and the target never gets a token; without the role assignment,
client-credentials tokens carry no ``roles`` and Exchange refuses the login.

**Fix.** App registrations › <app> › API permissions › Grant admin consent for <tenant>
(``az ad app permission admin-consent --id <client-id>``), or the admin consent URL; then
``admin_consent: true``.

Source: https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant;
https://learn.microsoft.com/graph/api/resources/authorizationpolicy
(``permissionGrantPoliciesAssigned``);
https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import EXCHANGE_APP_ID, admin_consent_url, get_cloud
from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.rules._microsoft import (
    Required,
    rbac_replaces,
    required_permissions,
    resolve,
)
from mailoauth_cfg.live.rules._microsoft import resource_sp_ids as resource_ids
from mailoauth_cfg.live.snapshot import (
    AppRoleAssignment,
    AuthorizationPolicy,
    DirectoryUser,
    MicrosoftTenant,
    PermissionGrant,
    Unknown,
)
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import microsoft_targets, portal

LEGACY = "microsoft-user-default-legacy"
LOW = "microsoft-user-default-low"


def signers(ctx: Context, plan: AppPlan) -> list[str]:
    """Addresses that sign in for the app's targets (a shared mailbox's ``sign_in_as``)."""
    out: dict[str, None] = {}
    for target in microsoft_targets(plan):
        for address in target.target.users:
            user = ctx.user(address)
            who = user.sign_in_as if user is not None and user.sign_in_as else address
            out.setdefault(who.lower(), None)
    return list(out)


def covers(grant: PermissionGrant, scope: str, resources: set[str] | None) -> bool:
    """Whether ``grant`` grants ``scope`` on Graph or Exchange Online."""
    return scope.lower() in grant.scopes and (
        resources is None or grant.resource_id.lower() in resources
    )


def user_consent(
    tenant: MicrosoftTenant, policy: AuthorizationPolicy, need: Required, registered_here: bool
) -> tuple[bool | None, str]:
    """``(allowed, why)``: whether users may consent to ``need`` themselves (``None``: a custom
    policy decides, which is not read)."""
    if need.permission.admin_consent_required:
        return False, f"{need.name} can be granted by an administrator only"
    policies = policy.self_consent_policies
    if not policies:
        return False, "user consent is disabled in the tenant"
    if LEGACY in policies:
        return True, f"the tenant lets users consent to it ({LEGACY})"
    if LOW in policies:
        table = tenant.low_impact_of(need.permission.resource_app_id)
        if isinstance(table, Unknown):
            return None, f"the low-impact classifications could not be read: {table.reason}"
        alt = tenant.low_impact_of(EXCHANGE_APP_ID) if need.permission.alt_resource else []
        low = set(table) | (set(alt) if isinstance(alt, list) else set())
        if need.name.lower() not in low:
            return False, (
                f"the tenant lets users consent only to permissions classified low impact "
                f"({LOW}), and {need.name} is not"
            )
        if not registered_here:
            return False, (
                f"the tenant lets users consent only to apps of this organisation or of "
                f"verified publishers ({LOW})"
            )
        return True, f"{need.name} is classified low impact and users may consent to it ({LOW})"
    return None, f"a custom consent policy decides ({', '.join(policies)})"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Decide each required permission from grants, role assignments and the consent policy."""
    for plan, tenant in microsoft_apps(ctx):
        app = plan.app
        app_only = app.flow == "app-only"
        required = [r for r in required_permissions(plan) if (r.kind == "Role") == app_only]
        if not required:
            continue
        sp = tenant.service_principal(app.client_id)
        if isinstance(sp, Unknown) or sp is None:
            continue  # unknown (reported by the engine) or missing (another rule reports it)
        held = tenant.assignments_of(sp.id) if app_only else tenant.grants_of(sp.id)
        if isinstance(held, Unknown):
            continue
        resources = resource_ids(tenant)
        cloud = get_cloud(tenant.cloud)
        url = admin_consent_url(
            cloud,
            tenant.tenant,
            app.client_id,
            scope=cloud.exchange_app_only_scope if app_only else None,
        )
        fix = (
            f"{portal(plan, 'API permissions', 'Grant admin consent')} (or `az ad app permission "
            f"admin-consent --id {app.client_id}`, or open {url}), then set admin_consent: true"
        )
        consent_path = ("apps", plan.name, "admin_consent")
        if app_only:
            assignments = [a for a in held if isinstance(a, AppRoleAssignment)]
            for need in required:
                guids = {guid for _, guid in resolve(tenant, need).pairs}
                if any(
                    a.app_role_id.lower() in guids
                    and (resources is None or a.resource_id.lower() in resources)
                    for a in assignments
                ) or rbac_replaces(tenant, plan, need):
                    continue
                yield finding(
                    ctx,
                    RULE,
                    f"app {plan.name} has no app role assignment (admin consent) of the role "
                    f"{need.name} on Microsoft Graph or Office 365 Exchange Online: "
                    "client-credentials tokens lack it and Exchange refuses the login",
                    need.path if need.path[-1] != plan.name else consent_path,
                    fix=fix,
                    object=plan.object,
                )
            continue
        grants = [g for g in held if isinstance(g, PermissionGrant)]
        tenant_wide = [g for g in grants if (g.consent_type or "").lower() == "allprincipals"]
        missing = [
            need
            for need in required
            if not any(covers(g, need.name, resources) for g in tenant_wide)
        ]
        if not missing:
            continue
        # Per-user consent of every account that signs in is consent too.
        ids: list[str] = []
        for address in signers(ctx, plan):
            found = tenant.user(address)
            if isinstance(found, DirectoryUser):
                ids.append(found.id.lower())
        per_user = [g for g in grants if (g.consent_type or "").lower() == "principal"]
        if ids:
            missing = [
                need
                for need in missing
                if not all(
                    any(
                        covers(g, need.name, resources) and (g.principal_id or "") == uid
                        for g in per_user
                    )
                    for uid in ids
                )
            ]
        if not missing:
            continue
        policy = tenant.consent_policy()
        if isinstance(policy, Unknown):
            continue
        registered_here = not isinstance(tenant.application(app.client_id), Unknown | None)
        declared = (
            f" (apps.{plan.name}.admin_consent says true)" if app.admin_consent is True else ""
        )
        for need in missing:
            allowed, why = user_consent(tenant, policy, need, registered_here)
            path = need.path if need.path[-1] != plan.name else consent_path
            if allowed is None:
                yield unknown(
                    ctx,
                    RULE,
                    f"whether users may consent to {need.name} for app {plan.name} (it has no "
                    "tenant-wide admin consent)",
                    f"{why}; check it in Entra admin center › Enterprise applications › Consent "
                    "and permissions, then attest it with a suppress: entry",
                    path,
                    object=plan.object,
                )
            elif allowed:
                yield finding(
                    ctx,
                    RULE,
                    f"app {plan.name} has no tenant-wide admin consent for {need.name}{declared}; "
                    f"{why}: each user is asked once, at the first sign-in",
                    path,
                    fix=f"to spare users the prompt: {fix}",
                    object=plan.object,
                    severity=Severity.INFO,
                )
            else:
                yield finding(
                    ctx,
                    RULE,
                    f"app {plan.name} has no tenant-wide admin consent for {need.name}{declared} "
                    f'and users cannot consent to it ({why}): they loop on "Need admin '
                    'approval" (AADSTS65001) and no token is issued',
                    path,
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
    reads=(
        "app_role_assignments",
        "applications",
        "authorization_policy",
        "exchange_service_principals",
        "grants",
        "low_impact",
        "resources",
        "role_assignments",
        "service_principals",
        "users",
    ),
    supersedes=("ms-admin-consent-missing",),
    impacts=(
        (Severity.ERROR, "not consented and users may not consent: no token"),
        (Severity.INFO, "users consent at sign-in"),
    ),
)
