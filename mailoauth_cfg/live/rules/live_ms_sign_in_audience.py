"""The registration's supported account types differ from the declared ``audience``.

**What.** ``apps.<name>.audience`` is written and the registration's ``signInAudience`` says
otherwise (single-tenant = ``AzureADMyOrg``, multi-tenant = ``AzureADMultipleOrgs``,
multi-tenant-and-personal = ``AzureADandPersonalMicrosoftAccount``, personal =
``PersonalMicrosoftAccount``).

**Why.** A single-tenant registration refuses users of other tenants (``AADSTS50020``) and a
multi-tenant one accepts sign-ins the config did not plan for; the targets' tenant setting
(``organizations`` vs the tenant ID) must match it.

**Fix.** App registrations › <app> › Authentication › Supported account types, or correct
``audience:``.

Source: https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import portal

AUDIENCES = {
    "single-tenant": "AzureADMyOrg",
    "multi-tenant": "AzureADMultipleOrgs",
    "multi-tenant-and-personal": "AzureADandPersonalMicrosoftAccount",
    "personal": "PersonalMicrosoftAccount",
}


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare a written ``audience`` with ``signInAudience``."""
    for plan, tenant in microsoft_apps(ctx):
        path = ("apps", plan.name, "audience")
        if path not in ctx.marks.values:
            continue
        app = tenant.application(plan.app.client_id)
        if isinstance(app, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the account types of app {plan.name}",
                app.reason,
                path,
                object=plan.object,
            )
            continue
        if app is None or app.sign_in_audience is None:
            continue
        wanted = AUDIENCES[plan.audience]
        if app.sign_in_audience.lower() != wanted.lower():
            actual = {v.lower(): k for k, v in AUDIENCES.items()}.get(
                app.sign_in_audience.lower(), app.sign_in_audience
            )
            yield finding(
                ctx,
                RULE,
                f"app {plan.name} is declared {plan.app.audience} ({wanted}) but the "
                f"registration's signInAudience is {app.sign_in_audience}",
                path,
                fix=f"set audience: {actual}, or change "
                f"{portal(plan, 'Authentication', 'Supported account types')}",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-sign-in-audience",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("applications",),
    impacts=(
        (Severity.WARNING, "the registration differs from the declaration: sign-ins may fail"),
    ),
)
