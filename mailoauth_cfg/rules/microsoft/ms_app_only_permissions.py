"""An app-only Microsoft app lacks an Exchange application permission or lists delegated ones.

**What.** For an app with ``flow: app-only`` and a declared ``permissions:`` list:

* each protocol of its targets needs the Office 365 Exchange Online **application** permission
  ``SMTP.SendAsApp`` (smtp), ``IMAP.AccessAsApp`` (imap) or ``POP.AccessAsApp`` (pop); a missing
  one is an error. Microsoft Graph ``Mail.Send``/``Mail.Read`` (application) are not
  substitutes: they serve the Graph REST API, not SMTP AUTH, IMAP or POP;
* a delegated permission (``SMTP.Send``, ``IMAP.AccessAsUser.All``, ``offline_access``…) is
  reported as an info (nothing breaks): client-credentials tokens carry application roles
  only, so it is ignored and usually means the delegated permission was added instead of the
  application one.

With Exchange "RBAC for Applications" for SMTP, Microsoft advises *not* adding
``SMTP.SendAsApp``; suppress the rule on the app in that case, with the reason.

**Why.** The client-credentials token (scope ``https://outlook.office365.com/.default``) holds
only the application roles granted on the Exchange Online resource; without the protocol's role
the server answers ``535 5.7.3 Authentication unsuccessful`` or ``AUTHENTICATE failed``.

**Fix.** Entra admin center › App registrations › <app> › API permissions › Add a permission ›
APIs my organization uses › Office 365 Exchange Online › Application permissions ›
``SMTP.SendAsApp`` (or ``IMAP.AccessAsApp``/``POP.AccessAsApp``), then Grant admin consent;
remove the delegated permissions.

Source: https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(client credentials); user reports simonrob/email-oauth2-proxy#119,
MicrosoftDocs/office-developer-exchange-docs#319;
MicrosoftDocs/office-developer-exchange-docs:docs/legacy-protocols/smtp-app-rbac-onboarding.md
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import permission
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    APP_ONLY_ROLES,
    add_permission_path,
    az_permission_add,
    declared_permissions,
    microsoft_apps,
    microsoft_targets,
    names,
    portal,
)

_GRAPH_LOOKALIKES = {"smtp": "Mail.Send", "imap": "Mail.Read", "pop": "Mail.Read"}


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the roles of app-only apps against their targets' protocols."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        if app.flow != "app-only" or app.permissions is None:
            continue
        declared = declared_permissions(app)
        roles = {
            p.name.lower() for _, _, p in declared if p is not None and p.kind == "application"
        }
        needed: dict[str, dict[str, list[str]]] = {}
        for target in microsoft_targets(plan):
            for protocol in target.protocols:
                role = APP_ONLY_ROLES.get(protocol)
                if role is not None and role.lower() not in roles:
                    needed.setdefault(role, {}).setdefault(target.name, []).append(protocol)
        for role in sorted(needed):
            known = permission(role, "application")
            if known is None:  # pragma: no cover - the catalog has all three roles
                continue
            users = "; ".join(
                f"target {name} for {names(protocols)}"
                for name, protocols in sorted(needed[role].items())
            )
            protocol = next(p for p, r in APP_ONLY_ROLES.items() if r == role)
            lookalike = _GRAPH_LOOKALIKES[protocol]
            note = (
                f" (Graph's {lookalike} application permission serves the Graph REST API, not "
                f"{protocol.upper()})"
                if lookalike.lower() in roles
                else ""
            )
            yield ctx.finding(
                RULE,
                f"app-only app {plan.name} does not list the Exchange application permission "
                f"{role}, needed by {users}{note}",
                ("apps", plan.name, "permissions"),
                fix=f"add `{role}` to apps.{plan.name}.permissions and to the registration: "
                f"{add_permission_path(plan, known)} (or `{az_permission_add(plan, known)}`), "
                "then API permissions › Grant admin consent for <tenant>",
                object=plan.object,
            )
        for index, name, found in declared:
            if found is None or found.kind != "delegated":
                continue
            replacement = {
                "smtp.send": "SMTP.SendAsApp",
                "imap.accessasuser.all": "IMAP.AccessAsApp",
                "pop.accessasuser.all": "POP.AccessAsApp",
            }.get(found.name.lower())
            instead = f"; use {replacement} instead" if replacement else ""
            yield ctx.finding(
                RULE,
                f"app-only app {plan.name} lists the delegated permission {found.name}: "
                f"client-credentials tokens carry application roles only, so it is ignored"
                f"{instead}",
                ("apps", plan.name, "permissions", index),
                fix=f"remove {name!r} from apps.{plan.name}.permissions and from "
                f"{portal(plan, 'API permissions')}",
                object=plan.object,
                severity=Severity.INFO,
            )


RULE = Rule.define(
    __doc__,
    id="ms-app-only-permissions",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "the client-credentials token lacks the Exchange role: login refused"),
        (Severity.INFO, "a delegated permission on an app-only app is ignored: advice"),
    ),
)
