"""A Dolibarr OAuth provider class belongs to another provider than the target's app.

**What.** ``oauth_provider`` of a ``dolibarr`` target is the ``GOOGLE`` class with a Microsoft
app, or a Microsoft class (``MICROSOFT``, ``MICROSOFT2``, ``MICROSOFT3``, ``MICROSOFTAPP``) with
a Google app. (A class whose flow does not match the app's ``flow`` is reported by
``ms-app-flow-mismatch``.)

**Why.** The class decides the authorize and token endpoints, the scopes offered and the
callback: with the wrong provider the client ID is sent to an identity platform that does not
know it (``invalid_client`` / ``AADSTS700016``) and the redirect URI registered on the app is
not the one Dolibarr sends.

**Fix.** Set ``oauth_provider`` to the class of the app's provider: ``GOOGLE`` for Google,
``MICROSOFT3`` (Dolibarr 23+; ``MICROSOFT`` before) for delegated Microsoft, ``MICROSOFTAPP``
for an app-only Microsoft app.

Source: Dolibarr/dolibarr:htdocs/core/lib/oauth.lib.php (``getSupportedOauth2Array``);
Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/Microsoftapp.php;
https://github.com/Dolibarr/dolibarr/pull/39122.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import declared, target_path
from mailoauth_cfg.targets.dolibarr.providers import has_microsoft3
from mailoauth_cfg.targets.dolibarr.rules._common import through_oauth_module


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each Dolibarr provider class with the app's provider type."""
    for plan, provider in through_oauth_module(ctx):
        app = plan.app
        if app is None or plan.provider_type is None:
            continue
        explicit = declared(ctx, target_path(plan.name, "oauth_provider"))
        where = target_path(plan.name, "oauth_provider" if explicit else "app")
        delegated_ms = "MICROSOFT3" if has_microsoft3(plan.target.declared_version) else "MICROSOFT"
        if provider.provider != plan.provider_type:
            wanted = "GOOGLE" if plan.provider_type == "google" else delegated_ms
            if plan.provider_type == "microsoft" and app.flow == "app-only":
                wanted = "MICROSOFTAPP"
            yield ctx.finding(
                RULE,
                f"target {plan.name}: oauth_provider {provider.key} is a {provider.provider} "
                f"class but app {plan.app_name} is in {plan.provider_type} provider "
                f"{plan.provider_name}",
                where,
                fix=f"set `oauth_provider: {wanted}`",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="dolibarr-provider-class-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "the entry sends the client ID to the other provider: invalid_client"),
    ),
)
