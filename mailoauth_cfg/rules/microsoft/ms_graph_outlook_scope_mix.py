"""A target's token request would mix Microsoft Graph scopes with Outlook (Exchange) scopes.

**What.** One authorization/token request of a target would carry a Graph scope (``User.Read``,
``Mail.*``) next to an ``https://outlook.office.com/…`` (or ``outlook.office365.com``) scope.
Only the OIDC scopes ``openid``, ``profile``, ``email`` and ``offline_access`` may accompany
the Outlook scopes.

When this can be known offline (the decision this rule encodes):

* **Scope strings fixed by the target's own code** (catalog ``token_scopes``: GLPI, Odoo,
  Nextcloud Mail, and the documented defaults of sasl-xoauth2 and email-oauth2-proxy): the
  union of the strings of the target's protocols, requested together, is checked for both
  audiences → **error**. None mixes today; the check guards the catalog.
* **Scopes mailoauth-cfg requests or renders itself** (the token bootstrap of msmtp, Postfix
  and email-oauth2-proxy; Dolibarr's ``OAUTH_<PROV>-<label>_SCOPE``) come from
  ``derive.token_scopes`` / the Dolibarr renderer, which build them from the Outlook
  permissions and OIDC scopes only: they cannot mix, so nothing is reported for them.
* **Dolibarr / MultiSMTP with the MICROSOFT or MICROSOFT2 provider class** (explicit
  ``oauth_provider:``, or the default before Dolibarr 23): the scope list is whatever boxes an
  admin ticks, and both classes offer Graph's ``User.Read`` next to the Outlook scopes (the
  Dolibarr wiki even lists it among the permissions to grant). When the app also declares
  ``User.Read`` in ``permissions:`` the trap is armed: one tick away from ``AADSTS28000`` →
  **warning**. Graph permissions the class does not offer (``Mail.Send``, ``Mail.Read``)
  cannot be ticked and do not matter here. MICROSOFT3 (Dolibarr 23+) offers only Outlook scopes
  and ``offline_access``; MICROSOFTAPP uses ``.default``.
* **Targets whose request is not documented** (DigDash, WaveSoft, Open Bee) are not judged:
  their app may legitimately list Graph permissions, and what they request cannot be known
  offline.

**Why.** Entra issues a token for one resource per request: mixing fails with ``AADSTS28000``
("scopes for more than one resource"), or the token is issued for Graph and SMTP/IMAP reject it
with ``535 5.7.3`` / ``AUTHENTICATE failed``.

**Fix.** Request only the Outlook scopes plus ``offline_access`` (and ``openid``/``email``). In
Dolibarr 23+ set ``oauth_provider: MICROSOFT3``; on older versions untick ``User.Read`` in
Setup › Modules › OAuth › OAuth services and remove ``User.Read`` from the app's
``permissions:`` if nothing else needs it.

Source: Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/Microsoft3.php ("MUST NOT be
mixed with Graph scopes … AADSTS28000"); Dolibarr/dolibarr:htdocs/core/lib/oauth.lib.php
(offered scopes, comment on User.Read); Dolibarr PR #25888, #37329.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import scope_audience, split_scope
from mailoauth_cfg.derive import TargetPlan, major_version
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.model import DolibarrTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    declared_names,
    effective_bootstrap,
    names,
    node,
)


def _dolibarr_graph_ticks(plan: TargetPlan) -> list[str]:
    """Graph scopes a Dolibarr MICROSOFT/MICROSOFT2 entry would tick next to Outlook ones."""
    provider = plan.dolibarr
    app = plan.app
    if provider is None or provider.provider != "microsoft" or app is None:
        return []
    if app.permissions is None:
        return []
    offered = provider.offered_scopes
    if not any(scope_audience(s) == "outlook" for s in offered):
        return []
    declared = declared_names(app)
    return [
        s for s in offered if scope_audience(s) == "graph" and split_scope(s)[1].lower() in declared
    ]


def _catalog_mix(plan: TargetPlan) -> tuple[list[str], list[str]]:
    """(Graph scopes, Outlook scopes) of the target's known scope strings, requested together."""
    profile = plan.microsoft
    if profile is None:
        return [], []
    scopes: dict[str, None] = {}
    for protocol in plan.protocols:
        for key, text in profile.token_scopes.items():
            if key == protocol:
                scopes.update(dict.fromkeys(text.split()))
    graph = [s for s in scopes if scope_audience(s) == "graph"]
    outlook = [s for s in scopes if scope_audience(s) == "outlook"]
    return graph, outlook


def _dolibarr_location(ctx: Context, plan: TargetPlan) -> tuple[PathKey, bool]:
    for key in ("oauth_provider", "version"):
        path: PathKey = ("targets", plan.name, key)
        if path in ctx.marks.values:
            return path, False
    return ("targets", plan.name), True


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find token requests that would mix Graph and Outlook scopes."""
    for plan in ctx.target_plans():
        if plan.microsoft is None or plan.app is None or plan.app.flow != "delegated":
            continue
        if effective_bootstrap(plan) == "client-credentials":
            continue
        if plan.dolibarr is not None:
            ticks = _dolibarr_graph_ticks(plan)
            if not ticks:
                continue
            provider = plan.dolibarr
            label = plan.target.label if isinstance(plan.target, DolibarrTarget) else ""
            entry = provider.service_ref(label)
            major = major_version(str(getattr(plan.target, "version", "")))
            if major is not None and major >= 23:
                fix = (
                    "set `oauth_provider: MICROSOFT3` (offers only offline_access and the Outlook "
                    "scopes) and create the MICROSOFT3 entry in Setup › Modules › OAuth › OAuth "
                    "services"
                )
            else:
                fix = (
                    f"leave {names(ticks)} unticked on the {entry} entry (Setup › Modules › OAuth "
                    "› OAuth services: only offline_access and the Outlook scopes) and remove it "
                    f"from apps.{plan.app_name}.permissions; on Dolibarr 23+ use MICROSOFT3"
                )
            path, at_key = _dolibarr_location(ctx, plan)
            yield ctx.finding(
                RULE,
                f"target {plan.name} uses Dolibarr's {provider.key} provider class, which offers "
                f"Graph's {names(ticks)} next to the Outlook scopes; app {plan.app_name} lists "
                f"{names(ticks)}: ticking it on the {entry} entry, beyond the scopes mailoauth-cfg "
                "renders, would mix resources in one token request (AADSTS28000)",
                path,
                at_key=at_key,
                fix=fix,
                object=plan.object,
            )
            continue
        graph, outlook = _catalog_mix(plan)
        if graph and outlook:
            path, at_key = node(ctx, ("targets", plan.name, "protocols"), ("targets", plan.name))
            yield ctx.finding(
                RULE,
                f"target {plan.name} ({plan.kind.key}) requests Graph scope {names(graph)} "
                f"together with {names(outlook)} (AADSTS28000)",
                path,
                at_key=at_key,
                fix="request only the Outlook scopes plus offline_access/openid/email for this "
                "target; split protocols that need Graph into another target",
                object=plan.object,
                severity=Severity.ERROR,
            )


RULE = Rule.define(
    __doc__,
    id="ms-graph-outlook-scope-mix",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="microsoft",
)
