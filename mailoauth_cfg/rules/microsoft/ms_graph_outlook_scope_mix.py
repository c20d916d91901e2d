"""A target's token request would mix Microsoft Graph scopes with Outlook (Exchange) scopes.

**What.** One authorization/token request of a target would carry a Graph scope (``User.Read``,
``Mail.*``) next to an ``https://outlook.office.com/…`` (or ``outlook.office365.com``) scope.
Only the OIDC scopes ``openid``, ``profile``, ``email`` and ``offline_access`` may accompany
the Outlook scopes.

When this can be known offline (the decision this rule encodes):

* **Scopes fixed by the target's own code or requested by mailoauth-cfg** (GLPI, Odoo,
  Nextcloud Mail, sasl-xoauth2, email-oauth2-proxy, the token bootstrap of msmtp and Postfix,
  Dolibarr's rendered ``OAUTH_<PROV>-<label>_SCOPE``): they are built from each kind's
  per-protocol permissions, which hold Outlook and OIDC scopes only (a catalog test guards
  that), so nothing is reported for them.
* **Scopes an admin ticks among those an entry offers** (the plugin's ``scope_checkboxes``:
  Dolibarr / MultiSMTP with the MICROSOFT or MICROSOFT2 provider class, explicit
  ``oauth_provider:`` or the default before Dolibarr 23): both classes offer Graph's
  ``User.Read`` next to the Outlook scopes (the Dolibarr wiki even lists it among the
  permissions to grant). When the app also declares ``User.Read`` in ``permissions:`` the trap
  is armed: one tick away from ``AADSTS28000`` → **warning**. Graph permissions the class does
  not offer (``Mail.Send``, ``Mail.Read``) cannot be ticked and do not matter here. MICROSOFT3
  (Dolibarr 23+) offers only Outlook scopes and ``offline_access``; MICROSOFTAPP uses
  ``.default``.
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
from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    declared_names,
    effective_bootstrap,
    names,
)
from mailoauth_cfg.targets._plugin import ScopeCheckboxes


def graph_ticks(plan: TargetPlan, boxes: ScopeCheckboxes) -> list[str]:
    """Graph scopes the entry offers next to Outlook ones that the app also declares."""
    app = plan.app
    if app is None or app.permissions is None:
        return []
    declared = declared_names(app)
    return [
        s
        for s in boxes.offered
        if scope_audience(s) == "graph" and split_scope(s)[1].lower() in declared
    ]


def _location(ctx: Context, plan: TargetPlan, keys: tuple[str, ...]) -> tuple[PathKey, bool]:
    for key in keys:
        path: PathKey = ("targets", plan.name, key)
        if path in ctx.marks.values:
            return path, False
    return ("targets", plan.name), True


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find targets whose admin could tick Graph scopes next to Outlook ones."""
    for plan in ctx.target_plans():
        if plan.microsoft is None or plan.app is None or plan.app.flow != "delegated":
            continue
        if effective_bootstrap(plan) == "client-credentials":
            continue
        boxes = plan.plugin.scope_checkboxes(plan)
        if boxes is None:
            continue
        ticks = graph_ticks(plan, boxes)
        if not ticks:
            continue
        path, at_key = _location(ctx, plan, boxes.keys)
        yield ctx.finding(
            RULE,
            f"target {plan.name} uses {boxes.offered_by}, which offers Graph's {names(ticks)} "
            f"next to the Outlook scopes; app {plan.app_name} lists {names(ticks)}: ticking it "
            f"on the {boxes.entry} entry, beyond the scopes mailoauth-cfg renders, would mix "
            "resources in one token request (AADSTS28000)",
            path,
            at_key=at_key,
            fix=boxes.fix.format(graph=names(ticks)),
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="ms-graph-outlook-scope-mix",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="microsoft",
)
