"""A target signs in to another directory than the tenant its app and mailboxes live in.

**What.** The tenant a target holds (``targets.<name>.tenant``: Dolibarr ``_TENANT``, GLPI's
``smtp_oauth_options``, Nextcloud's ``microsoft_oauth_tenant_id``, Open Bee's *Tenant ID*,
``sasl-xoauth2-tool --tenant``...), or the tenant in the path of a declared authority or
endpoint URL, compared with ``providers.<p>.tenant`` and the app's ``audience``:

* ``consumers`` while the mailboxes are work accounts;
* ``common`` or ``organizations`` while the app is declared single-tenant, the target needs a
  tenant ID (Open Bee), or it uses client credentials (an info when the app's account types
  are not declared: it works only for a multi-tenant app);
* another tenant ID (or another domain) than the provider's and the app's home tenant.

A GUID compared with a domain is not judged (a domain names its tenant). Omitted, the
provider's tenant is rendered and nothing is reported.

**Why.** A single-tenant app is unknown outside its tenant (``AADSTS700016``) and refused at
``/common`` (``AADSTS50194``); users of one tenant cannot sign in at another's authority
(``AADSTS50020``); ``consumers`` signs in personal Microsoft accounts only; client credentials
need the real tenant. Applications often default to ``common`` (GLPI, Nextcloud, Odoo,
mutt_oauth2) or ``consumers`` (sasl-xoauth2), and templates carry someone else's tenant ID.

**Fix.** Set the tenant ID of the provider (the finding carries it), or register the app as
multi-tenant and declare ``audience: multi-tenant``.

Source: https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS50194,
AADSTS700016, AADSTS50020); tarickb/sasl-xoauth2 README (``--tenant`` defaults to consumers);
simonrob/email-oauth2-proxy#154.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.catalog import microsoft as ms
from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._declared import (
    ENDPOINT_KEYS,
    cloud_of_login_host,
    declared_values,
    is_guid,
    tenant_segment,
)


def verdict(plan: TargetPlan, tenant: str) -> tuple[str, Severity] | None:
    """(what is wrong with signing the target's mailboxes in at ``tenant``, severity)."""
    provider = plan.provider
    if not isinstance(provider, MicrosoftProvider):
        return None
    mine = provider.tenant.lower()
    tenant = tenant.lower()
    app = plan.app
    home = (app.home_tenant or mine) if app is not None else mine
    audience = app.audience if app is not None and plan.app_declares("audience") else None
    if tenant in (mine, home):
        return None
    if tenant == "consumers":
        if mine == "consumers":
            return None
        return (
            "'consumers' signs in personal Microsoft accounts only, but the mailboxes are work "
            f"accounts of tenant {provider.tenant}",
            Severity.ERROR,
        )
    if ms.is_tenant_keyword(tenant):
        if plan.client_credentials:
            return (
                f"client credentials need the tenant ID, not '{tenant}' (AADSTS90009)",
                Severity.ERROR,
            )
        profile = plan.microsoft
        if profile is not None and not profile.tenant_common_ok:
            return (
                f"{plan.facts.display_name} needs the tenant ID of a single-tenant app, not "
                f"'{tenant}'",
                Severity.ERROR,
            )
        if audience == "single-tenant":
            return (
                f"app {plan.app_name} is single-tenant: '/{tenant}' refuses it with AADSTS50194",
                Severity.ERROR,
            )
        if audience is None:
            return (
                f"'/{tenant}' works only if app {plan.app_name} is multi-tenant, which is not "
                "declared (`audience:`): checked by --online (live-ms-sign-in-audience)",
                Severity.INFO,
            )
        return None
    if ms.is_tenant_keyword(mine):
        return None
    if is_guid(tenant) != is_guid(mine) and is_guid(tenant) != is_guid(home):
        return None  # a domain names a tenant: not comparable offline
    return (
        f"{tenant} is not the tenant of provider {plan.provider_name} ({provider.tenant}): the "
        "app is not found there (AADSTS700016) and its users cannot sign in there "
        "(AADSTS50020)",
        Severity.ERROR,
    )


def _replace_tenant(url: str, tenant: str) -> str:
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if segment:
            segments[index] = tenant
            break
    return parts._replace(path="/".join(segments)).geturl()


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each declared tenant (and each endpoint's tenant) with the provider's."""
    for plan in ctx.target_plans():
        provider = plan.provider
        if plan.target.auth != "oauth2" or not isinstance(provider, MicrosoftProvider):
            continue
        right = provider.tenant if not ms.is_tenant_keyword(provider.tenant) else None
        for item in declared_values(plan, "tenant"):
            found = verdict(plan, str(item.value))
            if found is None:
                continue
            message, severity = found
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {plan.facts.setting_name('tenant')} is {item.value}: "
                f"{message}",
                item.path,
                fix=f"set it to {right}" if right else "set the tenant ID of the mailboxes",
                object=plan.object,
                severity=severity,
                edits=(Edit("set", item.path, right),)
                if right and severity is not Severity.INFO
                else (),
            )
        for key in ENDPOINT_KEYS:
            for item in declared_values(plan, key):
                url = str(item.value)
                host = (urlsplit(url).hostname or "").lower()
                tenant = tenant_segment(url)
                if cloud_of_login_host(host) is None or tenant is None:
                    continue
                found = verdict(plan, tenant)
                if found is None:
                    continue
                message, severity = found
                fixed = _replace_tenant(url, right) if right else None
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: {plan.facts.setting_name(key)} {url} signs in at "
                    f"{tenant}: {message}",
                    item.path,
                    fix=f"set it to {fixed}" if fixed else "use the tenant ID of the mailboxes",
                    object=plan.object,
                    severity=severity,
                    edits=(Edit("set", item.path, fixed),)
                    if fixed and severity is not Severity.INFO
                    else (),
                )


RULE = Rule.define(
    __doc__,
    id="target-tenant-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "the sign-in goes to a directory that cannot issue the token"),
        (Severity.INFO, "a tenant keyword with account types not declared: checked by --online"),
    ),
    fixable=True,
)
