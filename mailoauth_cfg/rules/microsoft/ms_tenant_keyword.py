"""A Microsoft provider uses a tenant keyword (common...) where a tenant ID is needed.

**What.** ``providers.<name>.tenant`` is one of the keywords ``common``, ``organizations`` or
``consumers`` while

* an app of the provider is single-tenant (``audience: single-tenant``, the default);
* a target of the provider needs the tenant ID (catalog ``tenant_common_ok: false``, e.g.
  Open Bee);
* an app or a target uses client credentials (app-only).

**Why.** A single-tenant app is unknown to the ``/common`` and ``/organizations`` endpoints:
sign-in fails with ``AADSTS50194``; ``/consumers`` signs in personal accounts only. Client
credentials have no user to pick a tenant, so the token endpoint must name the tenant, and
targets such as Open Bee ask for the tenant ID itself.

**Fix.** Set ``tenant:`` to the Directory (tenant) ID: Entra admin center › Overview › Tenant
ID (also on App registrations › <app> › Overview). Keep a keyword only for a multi-tenant app
whose targets all accept it.

Source: https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS50194);
Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/Microsoftapp.php (app-only needs a real
tenant); https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
(``{tenant}`` values).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import is_tenant_keyword
from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import effective_bootstrap, microsoft_apps


def reasons(ctx: Context, provider: str, tenant: str) -> list[str]:
    """Why the keyword tenant of ``provider`` cannot work, sorted and de-duplicated."""
    found: list[str] = []
    for plan in microsoft_apps(ctx):
        if plan.app.provider != provider:
            continue
        if plan.declares("audience") and plan.app.audience == "single-tenant":
            cause = (
                "/consumers signs in personal accounts only"
                if tenant == "consumers"
                else f"/{tenant} fails with AADSTS50194"
            )
            found.append(f"app {plan.name} is single-tenant ({cause})")
        if plan.app.flow == "app-only":
            found.append(f"app {plan.name} uses client credentials, which need the tenant ID")
    for target in ctx.target_plans():
        profile = target.microsoft
        if target.provider_name != provider or profile is None:
            continue
        if not profile.tenant_common_ok:
            found.append(f"target {target.name} ({target.key}) needs the tenant ID")
        elif effective_bootstrap(target) == "client-credentials":
            found.append(f"target {target.name} uses client credentials, which need the tenant ID")
    return sorted(dict.fromkeys(found))


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check keyword tenants against the apps and targets of their provider."""
    for name, provider in sorted(ctx.config.providers.items()):
        if not isinstance(provider, MicrosoftProvider) or not is_tenant_keyword(provider.tenant):
            continue
        why = reasons(ctx, name, provider.tenant)
        if not why:
            continue
        yield ctx.finding(
            RULE,
            f"tenant {provider.tenant!r} of provider {name} cannot be used: {'; '.join(why)}",
            ("providers", name, "tenant"),
            fix=f"set providers.{name}.tenant to the Directory (tenant) ID GUID shown in Entra "
            "admin center › Overview › Tenant ID",
            object=ObjectRef.provider(name),
        )


RULE = Rule.define(
    __doc__,
    id="ms-tenant-keyword",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "the tenant keyword cannot sign these apps or targets in: no token"),
    ),
)
