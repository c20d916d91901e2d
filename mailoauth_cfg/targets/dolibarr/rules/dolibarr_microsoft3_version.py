"""A Dolibarr target uses the wrong Microsoft OAuth provider class for its version.

**What.** For ``dolibarr`` and ``dolibarr-multismtp`` targets with a Microsoft app:

* ``oauth_provider: MICROSOFT3`` on a version older than 23 (error: the entry does not exist);
* the ``MICROSOFT``/``MICROSOFT2`` class (explicit, or the default before 23) on a version older
  than 23 (info: upgrade, and never tick ``User.Read``);
* ``oauth_provider: MICROSOFT`` or ``MICROSOFT2`` on 23 or later (info: prefer ``MICROSOFT3``).

**Why.** ``MICROSOFT3`` ("Microsoft Exchange Online [SMTP/IMAP]") arrived in Dolibarr 23: it
offers only the Outlook scopes and has a tenant field. The older entries offer Microsoft Graph
``User.Read`` next to the Outlook scopes; ticking both makes the token request fail with
AADSTS28000, and older ``MICROSOFT`` callbacks lost the tenant (authorize URL ``//oauth2``).

**Fix.** Upgrade to Dolibarr 23 or later and use ``oauth_provider: MICROSOFT3``; until then use
``MICROSOFT`` and tick only ``offline_access`` and the ``https://outlook.office365.com/...``
scopes of the protocols used.

Source: https://github.com/Dolibarr/dolibarr/pull/37329;
Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/Microsoft3.php;
Dolibarr/dolibarr:htdocs/core/lib/oauth.lib.php; the MICROSOFT3 provider
class's ``min_version`` (mailoauth_cfg/targets/dolibarr/providers.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import scope_audience
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import declared, target_path
from mailoauth_cfg.targets._facts import DOTTED
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget
from mailoauth_cfg.targets.dolibarr.providers import PROVIDER_CLASSES, DolibarrProvider
from mailoauth_cfg.targets.dolibarr.rules._common import through_oauth_module


def safe_scopes(provider: DolibarrProvider, protocols: tuple[str, ...]) -> list[str]:
    """Scopes of an older Microsoft class to tick: offline_access and Outlook protocol scopes."""
    wanted = {"smtp": "SMTP.Send", "imap": "IMAP.AccessAsUser.All", "pop": "POP.AccessAsUser.All"}
    names = [wanted[p] for p in protocols if p in wanted]
    picked: list[str] = []
    for scope in provider.offered_scopes:
        if scope == "offline_access":
            picked.append(scope)
        elif scope_audience(scope) == "outlook" and (
            scope.endswith("/.default") or any(scope.endswith("/" + n) for n in names)
        ):
            picked.append(scope)
    return picked


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare the Dolibarr provider class with the version."""
    minimum = PROVIDER_CLASSES["MICROSOFT3"].min_version
    for plan, provider in through_oauth_module(ctx):
        target = plan.target
        version = target.declared_version
        if minimum is None or version is None:
            continue
        if plan.provider_type != "microsoft" or provider.provider != "microsoft":
            continue
        old = DOTTED.older(version, minimum)
        explicit = isinstance(target, DolibarrTarget) and declared(
            ctx, target_path(plan.name, "oauth_provider")
        )
        where = target_path(plan.name, "oauth_provider" if explicit else "version")
        if provider.key == "MICROSOFT3" and old:
            yield ctx.finding(
                RULE,
                f"target {plan.name}: oauth_provider MICROSOFT3 needs Dolibarr >= {minimum}; "
                f"version {version} has only MICROSOFT and MICROSOFT2",
                where,
                fix=f"upgrade Dolibarr to {minimum} or later, or set `oauth_provider: MICROSOFT`",
                object=plan.object,
            )
        elif provider.key in ("MICROSOFT", "MICROSOFT2") and old:
            scopes = ", ".join(safe_scopes(provider, plan.protocols))
            yield ctx.finding(
                RULE,
                f"target {plan.name}: Dolibarr {version} predates MICROSOFT3 (>= "
                f"{minimum}); its {provider.key} entry offers Graph User.Read next to the Outlook "
                "scopes, and ticking both fails with AADSTS28000",
                where,
                fix=f"upgrade Dolibarr to {minimum} and use `oauth_provider: MICROSOFT3`; until "
                f"then tick only: {scopes}",
                object=plan.object,
                severity=Severity.INFO,
            )
        elif provider.key in ("MICROSOFT", "MICROSOFT2") and explicit:
            yield ctx.finding(
                RULE,
                f"target {plan.name}: Dolibarr {version} has MICROSOFT3 (Outlook-only "
                f"scopes, tenant field); {provider.key} offers Graph scopes that must not be "
                "ticked",
                where,
                fix="set `oauth_provider: MICROSOFT3`",
                object=plan.object,
                severity=Severity.INFO,
            )


RULE = Rule.define(
    __doc__,
    id="dolibarr-microsoft3-version",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "the declared class does not exist in this version"),
        (Severity.INFO, "an older class works; upgrade advice"),
    ),
)
