"""A Microsoft app's supported account types exclude the accounts of its provider's tenant.

**What.** ``apps.<name>.audience`` (the registration's "Supported account types",
``signInAudience``) cannot sign in the accounts the provider's ``tenant`` points at:

* ``audience: personal`` (PersonalMicrosoftAccount) with a work tenant (a GUID, a domain or
  ``organizations``): Exchange Online mailboxes sign in with work accounts;
* ``audience: multi-tenant`` (AzureADMultipleOrgs, work accounts only) with
  ``tenant: consumers``: that endpoint signs in personal accounts only.

(A single-tenant app with a keyword tenant is ``ms-tenant-keyword``.)

**Why.** Entra refuses the sign-in of an account type the app does not support: the consent
ends with ``AADSTS50020`` or a similar "account does not exist / not supported" error, and no
target gets a token.

**Fix.** Make the two agree: for Exchange Online mailboxes set Supported account types to
"Accounts in this organizational directory only" (Entra admin center › App registrations ›
<app> › Authentication › Supported account types; ``audience: single-tenant``) and use the
tenant ID; for outlook.com mailboxes use ``audience: personal`` (or
``multi-tenant-and-personal``) with ``tenant: consumers``.

Source: microsoftgraph/microsoft-graph-docs-contrib:api-reference/v1.0/api/application-get.md
(signInAudience values); AADSTS50020 in
https://learn.microsoft.com/entra/identity-platform/reference-error-codes
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import app_node, microsoft_apps, portal, tenant_of


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each app's audience with its provider's tenant."""
    for plan in microsoft_apps(ctx):
        tenant = tenant_of(plan)
        if tenant is None:
            continue
        audience = plan.app.audience
        if not plan.declares("audience"):
            continue
        if audience == "personal" and tenant not in ("consumers", "common"):
            message = (
                f"app {plan.name} accepts personal Microsoft accounts only, but provider "
                f"{plan.app.provider} is the work tenant {tenant!r}: its mailbox owners cannot "
                "sign in"
            )
            fix = (
                f"{portal(plan, 'Authentication', 'Supported account types')} › Accounts in "
                "this organizational directory only, then `audience: single-tenant`"
            )
        elif audience == "multi-tenant" and tenant == "consumers":
            message = (
                f"app {plan.name} accepts work accounts only (multi-tenant), but provider "
                f"{plan.app.provider} uses tenant 'consumers', which signs in personal "
                "accounts only"
            )
            fix = (
                f"set providers.{plan.app.provider}.tenant to the tenant ID for work mailboxes, "
                "or for outlook.com mailboxes "
                f"{portal(plan, 'Authentication', 'Supported account types')} › Personal "
                "Microsoft accounts only and `audience: personal`"
            )
        else:
            continue
        path, at_key = app_node(ctx, plan.name, "audience")
        yield ctx.finding(RULE, message, path, at_key=at_key, fix=fix, object=plan.object)


RULE = Rule.define(
    __doc__,
    id="ms-account-type-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.ERROR, "the declared account types exclude the mailboxes: no sign-in"),),
)
