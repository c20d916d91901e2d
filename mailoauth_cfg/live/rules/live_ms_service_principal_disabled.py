"""The app's service principal is disabled ("Enabled for users to sign in": No).

**What.** The enterprise application exists with ``accountEnabled: false``.

**Why.** Every sign-in and every client-credentials token request fails with ``AADSTS7000112``
(the application is disabled); mail stops at the next token refresh.

**Fix.** Enterprise applications › <app> › Properties › Enabled for users to sign-in: Yes
(``az ad sp update --id <client-id> --set accountEnabled=true``).

Source: https://learn.microsoft.com/entra/identity/enterprise-apps/disable-user-sign-in-portal.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report disabled service principals."""
    for plan, tenant in microsoft_apps(ctx):
        sp = tenant.service_principal(plan.app.client_id)
        path = ("apps", plan.name, "client_id")
        if isinstance(sp, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"whether the service principal of app {plan.name} is enabled",
                sp.reason,
                path,
                object=plan.object,
            )
        elif sp is not None and sp.account_enabled is False:
            yield finding(
                ctx,
                RULE,
                f"the service principal of app {plan.name} is disabled: every sign-in and token "
                "request fails with AADSTS7000112",
                path,
                fix=f"Enterprise applications › {plan.name} › Properties › Enabled for users to "
                f"sign-in: Yes (`az ad sp update --id {plan.app.client_id} --set "
                "accountEnabled=true`)",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-service-principal-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("service_principals",),
    impacts=((Severity.ERROR, "sign-in is disabled for the app: no token"),),
)
