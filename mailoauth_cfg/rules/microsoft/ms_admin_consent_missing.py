"""A Microsoft app needs tenant-wide admin consent that is declared as not granted.

**What.** An administrator's consent is needed when

* the app is app-only (application permissions always need admin consent);
* a declared permission requires admin consent (catalog ``admin_consent_required``:
  ``User.Read.All``, ``Exchange.Manage``, every application permission);
* a target of the app requires it (catalog ``admin_consent_required``, e.g. Open Bee, whose
  documentation asks for "Grant admin consent" and all five permissions "Granted"); or
* the tenant does not let users consent to the mail permissions
  (``providers.<p>.user_consent: disabled`` or ``low-impact``).

Error when ``apps.<name>.admin_consent`` is ``false``. When it is not declared, the consent is
a tenant-side fact: one info, decided by ``--online`` (``live-ms-permission-not-consented``).

**Why.** Users cannot consent to these permissions themselves: the consent screen stops with
``AADSTS90094`` / ``AADSTS65001`` ("approval required"), and client-credentials tokens carry no
role until an administrator consents. In tenants that disable user consent, Dolibarr users even
loop on the consent screen.

**Fix.** A Global/Privileged Role/Cloud Application Administrator grants consent: Entra admin
center › App registrations › <app> › API permissions › Grant admin consent for <tenant> (or the
admin-consent URL in the finding); then set ``admin_consent: true``.

Source: https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent;
https://help.openbee.com/ (Office 365 and G Suite SMTP configuration); consent loop: Dolibarr issue
#40004.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import admin_consent_url, get_cloud
from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    app_node,
    cloud_of,
    declared_permissions,
    microsoft_apps,
    microsoft_targets,
    names,
    portal,
    tenant_of,
)


def reasons(plan: AppPlan) -> list[str]:
    """Why the app needs admin consent (empty when it does not)."""
    why: list[str] = []
    if plan.flow == "app-only":
        why.append("it is app-only: application permissions need admin consent")
    needing = [
        f"{p.name} ({p.kind})"
        for _, _, p in declared_permissions(plan.app)
        if p is not None and p.admin_consent_required
    ]
    if needing:
        why.append(f"{names(needing)} require{'s' if len(needing) == 1 else ''} admin consent")
    for target in microsoft_targets(plan):
        if target.microsoft is not None and target.microsoft.admin_consent_required:
            why.append(f"target {target.name} ({target.key}) requires admin consent")
    return why


def consent_url(plan: AppPlan) -> str:
    """The admin-consent URL for the app in its tenant and cloud."""
    cloud = get_cloud(cloud_of(plan))
    scope = cloud.exchange_app_only_scope if plan.flow == "app-only" else None
    return admin_consent_url(
        cloud, tenant_of(plan) or "organizations", plan.app.client_id, scope=scope
    )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Require ``admin_consent: true`` where users cannot consent themselves."""
    for plan in microsoft_apps(ctx):
        if plan.app.admin_consent is True:
            continue
        why = reasons(plan)
        provider = plan.provider
        user_consent = getattr(provider, "user_consent", None)
        if plan.flow == "delegated" and user_consent in ("disabled", "low-impact"):
            allowed = "nothing" if user_consent == "disabled" else "low-impact permissions only"
            why.append(f"the tenant lets users consent to {allowed} (user_consent: {user_consent})")
        if not why:
            continue
        declared = plan.app.admin_consent is False
        state = "false" if declared else "not declared"
        consequence = (
            "client-credentials tokens carry no role until an administrator consents"
            if plan.flow == "app-only"
            else "sign-in stops at 'approval required' (AADSTS90094/AADSTS65001)"
        )
        path, at_key = app_node(ctx, plan.name, "admin_consent")
        message = f"app {plan.name} needs admin consent ({'; '.join(why)}), but admin_consent is "
        message += (
            f"{state}: {consequence}"
            if declared
            else f"{state}: checked by --online (live-ms-permission-not-consented)"
        )
        yield ctx.finding(
            RULE,
            message,
            path,
            at_key=at_key,
            fix=f"{portal(plan, 'API permissions', 'Grant admin consent for <tenant>')} (or open "
            f"{consent_url(plan)} as an administrator), then set `admin_consent: true`",
            object=plan.object,
            severity=None if declared else Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="ms-admin-consent-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "consent declared not granted where users cannot give it: no token"),
        (Severity.INFO, "consent not declared: checked by --online"),
    ),
)
