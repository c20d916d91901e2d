"""The app has no service principal (enterprise application) in the tenant.

**What.** ``GET /servicePrincipals(appId='<client_id>')`` finds nothing although the app
registration exists (or the app is registered in another tenant).

**Why.** Consent, role assignments and sign-ins all attach to the service principal; without it
nobody can sign in (``AADSTS650052``/``AADSTS700016``) and app-only Exchange access cannot be set
up (``New-ServicePrincipal`` needs its object ID).

**Fix.** ``az ad sp create --id <client-id>`` (or grant admin consent, which creates it).

Source: https://learn.microsoft.com/entra/identity-platform/app-objects-and-service-principals.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Look each app's service principal up by client ID."""
    for plan, tenant in microsoft_apps(ctx):
        sp = tenant.service_principal(plan.app.client_id)
        path = ("apps", plan.name, "client_id")
        if isinstance(sp, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the service principal of app {plan.name}",
                sp.reason,
                path,
                object=plan.object,
            )
        elif sp is None:
            yield finding(
                ctx,
                RULE,
                f"app {plan.name} ({plan.app.client_id}) has no service principal (enterprise "
                f"application) in tenant {tenant.tenant}: nobody can consent or sign in",
                path,
                fix=f"`az ad sp create --id {plan.app.client_id}`, or grant admin consent, which "
                "creates it",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-service-principal-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("service_principals",),
    impacts=((Severity.ERROR, "no enterprise application: sign-ins fail"),),
)
