"""The app registration a config names does not exist in the tenant.

**What.** ``GET /applications(appId='<client_id>')`` finds nothing in the provider's tenant.

**Why.** Every token request for that client ID fails with ``AADSTS700016`` (application not
found in the directory): a typo in ``client_id``, the wrong tenant, or a deleted registration.

**Fix.** Copy the Application (client) ID from Entra admin center › App registrations › <app> ›
Overview into ``apps.<name>.client_id``, or register the app (``mailoauth-cfg render`` writes the
registration steps).

Source: https://learn.microsoft.com/graph/api/application-get (appId addressing); AADSTS700016 in
https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Look each Microsoft app up by client ID."""
    for plan, tenant in microsoft_apps(ctx):
        path = ("apps", plan.name, "client_id")
        found = tenant.application(plan.app.client_id)
        if isinstance(found, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the registration of app {plan.name}",
                found.reason,
                path,
                object=plan.object,
            )
        elif found is None:
            yield finding(
                ctx,
                RULE,
                f"no app registration has client ID {plan.app.client_id} in tenant "
                f"{tenant.tenant}: every token request fails with AADSTS700016",
                path,
                fix="copy the Application (client) ID from Entra admin center › App "
                f"registrations › Overview into apps.{plan.name}.client_id, or register the app",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-app-registration-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("applications",),
    impacts=((Severity.ERROR, "the app does not exist in the tenant: no token"),),
)
