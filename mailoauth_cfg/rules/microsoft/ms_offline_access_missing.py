"""A delegated app lacks ``offline_access`` in a tenant where users cannot consent to it.

**What.** ``apps.<name>.permissions`` is given without ``offline_access``, the app is
delegated and one of its targets keeps a refresh token. ``offline_access`` is an OpenID Connect
scope: the target requests it at sign-in and the signing-in user consents to it, so it need not
be on the registration, unless the tenant lets users consent to nothing
(``providers.<p>.user_consent: disabled``: error). When the tenant's user-consent setting is
not declared: one info (it decides).

**Why.** Where users cannot consent, only what an administrator consented on the registration
is granted: ``offline_access`` missing there makes the sign-in stop at "approval required"
(``AADSTS65001``), or no refresh token is issued and mail stops about an hour after each
sign-in.

**Fix.** Add ``offline_access`` to ``permissions:`` and to the registration: Entra admin center ›
App registrations › <app> › API permissions › Add a permission › Microsoft Graph › Delegated
permissions › OpenId permissions › ``offline_access``; grant consent again and run the target's
token bootstrap once more so that it obtains a refresh token.

Source: https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(``offline_access`` is required for a refresh token);
merill/graph-permissions-explorer:permission/offline_access.md
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import permission
from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    add_permission_path,
    az_permission_add,
    declared_names,
    effective_bootstrap,
    microsoft_apps,
    microsoft_targets,
    target_list,
)

OFFLINE_ACCESS = "offline_access"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Look for delegated apps whose targets need a refresh token without offline_access."""
    offline = permission(OFFLINE_ACCESS)
    if offline is None:  # pragma: no cover - the catalog always has it
        return
    for plan in microsoft_apps(ctx):
        app = plan.app
        if app.permissions is None or app.flow != "delegated":
            continue
        if OFFLINE_ACCESS in declared_names(app):
            continue
        user_consent = getattr(plan.provider, "user_consent", None)
        if user_consent in ("allowed", "low-impact"):
            continue  # consented by the user at sign-in
        needing = [
            target.name
            for target in microsoft_targets(plan)
            if effective_bootstrap(target) != "client-credentials"
            and OFFLINE_ACCESS in target.required_permissions
        ]
        if not needing:
            continue
        blocked = user_consent == "disabled"
        yield ctx.finding(
            RULE,
            f"app {plan.name} does not list offline_access and "
            + (
                "users may not consent to anything (user_consent: disabled): the sign-in of "
                f"{target_list(needing)} stops at 'approval required' (AADSTS65001) or gets no "
                "refresh token"
                if blocked
                else "the tenant's user-consent setting is not declared: users consent to it at "
                f"sign-in unless consent is disabled ({target_list(needing)} "
                f"{'needs' if len(needing) == 1 else 'need'} a refresh token)"
            ),
            ("apps", plan.name, "permissions"),
            fix=f"add `offline_access` to apps.{plan.name}.permissions and to the registration: "
            f"{add_permission_path(plan, offline)} (or `{az_permission_add(plan, offline)}`), "
            "then grant admin consent again",
            object=plan.object,
            severity=None if blocked else Severity.INFO,
            edits=(Edit("add", ("apps", plan.name, "permissions"), OFFLINE_ACCESS),),
        )


RULE = Rule.define(
    __doc__,
    id="ms-offline-access-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (
            Severity.ERROR,
            "users may not consent to it: no refresh token, mail stops within the hour",
        ),
        (Severity.INFO, "the tenant's consent setting is not declared: it decides"),
    ),
    fixable=True,
)
