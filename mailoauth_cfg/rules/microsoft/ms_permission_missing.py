"""A Microsoft app declares its permissions but lacks one its targets need for their protocols.

**What.** ``apps.<name>.permissions`` is given, the app is delegated, and one of its targets
needs a mail permission that is not in the list: ``SMTP.Send`` for ``smtp``,
``IMAP.AccessAsUser.All`` for ``imap``, ``POP.AccessAsUser.All`` for ``pop`` (the per-target
lists come from the catalog's target profiles). ``offline_access`` has its own rule
(``ms-offline-access-missing``); the OpenID Connect sign-in scopes ``openid``/``profile``/
``email`` some targets request are not checked (no vendor source establishes that a
registration must list them). Targets that use client credentials are left to
``ms-app-flow-mismatch`` and ``ms-app-only-permissions``.

**Why.** The token is issued only for permissions the app registration carries (and that were
consented): the target's authorization request then fails with ``AADSTS65001``, or the token
lacks the scope and the server answers ``535 5.7.3 Authentication unsuccessful`` /
``AUTHENTICATE failed``. Graph ``Mail.Send``/``Mail.Read`` are not substitutes: they serve the
Graph REST API, not SMTP, IMAP or POP.

**Fix.** Add the named permission to ``permissions:`` and to the registration: Entra admin center
› App registrations › <app> › API permissions › Add a permission › Microsoft Graph › Delegated
permissions › ``SMTP.Send`` (or the ``az ad app permission add`` command in the finding), then
grant consent again.

Source: https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import permission
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    add_permission_path,
    az_permission_add,
    declared_names,
    effective_bootstrap,
    microsoft_apps,
    microsoft_targets,
    names,
    target_label,
)

_GRAPH_LOOKALIKES = {
    "smtp.send": "Mail.Send",
    "imap.accessasuser.all": "Mail.Read",
    "pop.accessasuser.all": "Mail.Read",
}


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each delegated app's declared permissions with its targets' needs."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        if app.permissions is None or app.flow != "delegated":
            continue
        declared = declared_names(app)
        missing: dict[str, dict[str, list[str]]] = {}
        for target in microsoft_targets(plan):
            profile = target.microsoft
            if profile is None or effective_bootstrap(target) == "client-credentials":
                continue
            for protocol in target.protocols:
                for name in profile.required_permissions([protocol]):
                    known = permission(name)
                    if known is None or known.oidc or name.lower() in declared:
                        continue
                    needs = missing.setdefault(name, {})
                    needs.setdefault(target_label(target), []).append(protocol)
        for name in sorted(missing, key=str.lower):
            known = permission(name)
            if known is None:
                continue
            users = "; ".join(
                f"target {label} for {names(protocols)}"
                for label, protocols in sorted(missing[name].items())
            )
            lookalike = _GRAPH_LOOKALIKES.get(name.lower())
            note = (
                f" ({known.name} is not replaced by Graph's {lookalike}, which serves the "
                "Graph REST API only)"
                if lookalike is not None and lookalike.lower() in declared
                else ""
            )
            yield ctx.finding(
                RULE,
                f"app {plan.name} does not list {name}, needed by {users}{note}",
                ("apps", plan.name, "permissions"),
                fix=f"add `{name}` to apps.{plan.name}.permissions and to the registration: "
                f"{add_permission_path(plan, known)} (or `{az_permission_add(plan, known)}`), "
                "then grant consent again",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="ms-permission-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "the registration lacks a permission the login needs: no usable token"),
    ),
)
