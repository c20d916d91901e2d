"""A target's token request would mix Microsoft Graph scopes with Outlook (Exchange) scopes.

**What.** One authorization/token request of a target would carry a Graph scope (``User.Read``,
``Mail.*``) next to an ``https://outlook.office.com/…`` (or ``outlook.office365.com``) scope.
Only the OIDC scopes ``openid``, ``profile``, ``email`` and ``offline_access`` may accompany
the Outlook scopes.

When this can be known offline (the decision this rule encodes):

* **Scopes the target declares** (``targets.<name>.scopes`` or ``accounts.<mailbox>.scopes``:
  what the application requests as deployed): a Graph scope next to an Outlook scope is an
  **error**, the token cannot be issued.
* **Scopes fixed by the target's own code or requested by mailoauth-cfg** (GLPI, Odoo,
  Nextcloud Mail, sasl-xoauth2, email-oauth2-proxy, the token bootstrap of msmtp and Postfix,
  Dolibarr's rendered ``OAUTH_<PROV>-<label>_SCOPE``): they are built from each kind's
  per-protocol permissions, which hold Outlook and OIDC scopes only (a catalog test guards
  that), so nothing is reported for them.
* **Scopes an admin ticks among those an entry offers** (the plugin's ``scope_checkboxes``:
  Dolibarr / MultiSMTP with the MICROSOFT or MICROSOFT2 provider class, explicit
  ``oauth_provider:`` or the default before Dolibarr 23): both classes offer Graph's
  ``User.Read`` next to the Outlook scopes (the Dolibarr wiki even lists it among the
  permissions to grant). When the app also declares ``User.Read`` in ``permissions:`` and the
  target does not declare what it ticked, the trap is armed but nothing wrong is declared →
  **info** (advice; declare ``scopes:`` to have them judged). Graph permissions the class does
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
from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    declared_names,
    effective_bootstrap,
    names,
)
from mailoauth_cfg.rules.targets._declared import declared_values
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


def declared_mix(plan: TargetPlan, scopes: tuple[str, ...]) -> list[str]:
    """Graph scopes requested next to Outlook scopes (bare mail permissions, which are
    ``target-scope-invalid``'s, are left out)."""
    audiences = [(s, scope_audience(s)) for s in scopes]
    if not any(a == "outlook" for _, a in audiences):
        return []
    mail = {"smtp.send", "imap.accessasuser.all", "pop.accessasuser.all"}
    return [s for s, a in audiences if a == "graph" and split_scope(s)[1].lower() not in mail]


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find targets whose requested scopes mix Graph with Outlook, or could."""
    for plan in ctx.target_plans():
        if plan.microsoft is None or plan.app is None or plan.app.flow != "delegated":
            continue
        if effective_bootstrap(plan) == "client-credentials":
            continue
        declared = list(declared_values(plan, "scopes"))
        for item in declared:
            raw = tuple(str(s) for s in item.value) if isinstance(item.value, list) else ()
            graph = declared_mix(plan, plan.plugin.normalise_scopes(plan, raw))
            if not graph:
                continue
            kept = [s for s in raw if s not in graph]
            yield ctx.finding(
                RULE,
                f"target {plan.name} requests Graph's {names(graph)} together with Outlook "
                f"scopes{' for ' + item.mailbox if item.mailbox else ''}: one token request "
                "cannot carry two resources (AADSTS28000 / AADSTS70011), so no token is issued",
                item.path,
                fix=f"request only {' '.join(kept)} (drop {names(graph)}; a Graph call needs "
                "its own token)",
                object=plan.object,
                edits=(Edit("set", item.path, kept),),
            )
        if declared:
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
            "resources in one token request (AADSTS28000); declare `scopes:` to have what is "
            "ticked checked",
            path,
            at_key=at_key,
            fix=boxes.fix.format(graph=names(ticks)),
            object=plan.object,
            severity=Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="ms-graph-outlook-scope-mix",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "the declared request mixes resources: no token can be issued"),
        (Severity.INFO, "a Graph checkbox next to Outlook ones could be ticked: advice"),
    ),
    fixable=True,
)
