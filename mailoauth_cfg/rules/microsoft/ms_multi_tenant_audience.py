"""A Microsoft app accepts accounts of every organisation although it serves one tenant.

**What.** ``apps.<name>.audience`` is ``multi-tenant`` or ``multi-tenant-and-personal`` while
the provider's ``tenant`` is a fixed tenant (GUID or domain): every target of the app signs in
mailboxes of that single organisation. Info (advice): mail works; the app admits more accounts
than it needs.

**Why.** Supported account types decide who may sign in to the app. A multi-tenant
registration lets users of any Entra organisation (and, with personal accounts, anyone with an
outlook.com account) start a consent for it and creates service principals in foreign tenants;
a phishing page can present the app's name and branding to them. Nothing in a single-tenant
mail setup needs that.

**Fix.** Entra admin center › App registrations › <app> › Authentication › Supported account
types › "Accounts in this organizational directory only" (or ``az ad app update --id
<client-id> --sign-in-audience AzureADMyOrg``), then ``audience: single-tenant``.

Source: microsoftgraph/microsoft-graph-docs-contrib:api-reference/v1.0/api/application-get.md
(signInAudience);
https://learn.microsoft.com/en-us/entra/identity-platform/security-best-practices-for-app-registration.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import is_tenant_keyword
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import app_node, microsoft_apps, portal, tenant_of


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Flag multi-tenant audiences on apps of a fixed tenant."""
    for plan in microsoft_apps(ctx):
        tenant = tenant_of(plan)
        audience = plan.app.audience
        if tenant is None or is_tenant_keyword(tenant) or not plan.declares("audience"):
            continue
        if audience not in ("multi-tenant", "multi-tenant-and-personal"):
            continue
        who = (
            "any Entra organisation and personal Microsoft accounts"
            if audience == "multi-tenant-and-personal"
            else "any Entra organisation"
        )
        path, at_key = app_node(ctx, plan.name, "audience")
        yield ctx.finding(
            RULE,
            f"app {plan.name} accepts sign-ins from {who}, but its provider "
            f"{plan.app.provider} is the single tenant {tenant}",
            path,
            at_key=at_key,
            fix=f"{portal(plan, 'Authentication', 'Supported account types')} › Accounts in this "
            f"organizational directory only (`az ad app update --id {plan.app.client_id} "
            "--sign-in-audience AzureADMyOrg`), then `audience: single-tenant`",
            object=plan.object,
            severity=None,
        )


RULE = Rule.define(
    __doc__,
    id="ms-multi-tenant-audience",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.INFO, "wider sign-in audience than needed: nothing breaks, advice"),),
)
