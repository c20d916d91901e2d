"""A Microsoft provider names its tenant by a domain instead of the tenant ID (GUID).

**What.** ``providers.<name>.tenant`` is a domain name such as ``contoso.onmicrosoft.com`` or
``contoso.com`` rather than the Directory (tenant) ID.

**Why.** A verified domain works in the endpoints today, but domains can be removed or renamed
(a merger, a rebranding) and every target with the domain baked into its token endpoint then
fails; some targets ask explicitly for the tenant ID. The GUID never changes.

**Fix.** Replace the domain with the tenant ID: Entra admin center › Overview › Tenant ID, or
read it from the ``issuer`` of ``https://login.microsoftonline.com/<domain>/v2.0/.well-known/openid-configuration``.

Source: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
(``{tenant}`` = GUID, domain or keyword).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import is_tenant_keyword, openid_configuration_url
from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.model._base import GUID_RE
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Advise the tenant GUID over a domain."""
    for name, provider in sorted(ctx.config.providers.items()):
        if not isinstance(provider, MicrosoftProvider):
            continue
        tenant = provider.tenant
        if GUID_RE.fullmatch(tenant) or is_tenant_keyword(tenant):
            continue
        url = openid_configuration_url(provider.cloud, tenant)
        yield ctx.finding(
            RULE,
            f"tenant of provider {name} is the domain {tenant!r}: a domain can be renamed or "
            "removed, the tenant ID cannot",
            ("providers", name, "tenant"),
            fix="replace it with the Directory (tenant) ID from Entra admin center › Overview "
            f"› Tenant ID (the GUID in the `issuer` of {url})",
            object=ObjectRef.provider(name),
        )


RULE = Rule.define(
    __doc__,
    id="ms-tenant-not-guid",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.INFO, "works today; a renamed domain would break it: advice"),),
)
