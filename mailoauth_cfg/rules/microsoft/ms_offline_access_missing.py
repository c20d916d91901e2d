"""A delegated Microsoft app whose targets keep a refresh token does not list ``offline_access``.

**What.** ``apps.<name>.permissions`` is given, the app is delegated, at least one of its targets
stores a refresh token (every delegated mail target in the catalog does: the application, the
token file or the proxy refreshes the access token hourly), and ``offline_access`` is not in the
list.

**Why.** Without ``offline_access`` Entra returns no refresh token. The first access token works
for about an hour, then the target cannot renew it and mail stops until someone signs in again.
Where user consent is restricted, a scope missing from the registration is also never
consented, so the authorization request fails with ``AADSTS65001``.

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
from mailoauth_cfg.findings import Finding, Severity
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
        needing = [
            target.name
            for target in microsoft_targets(plan)
            if effective_bootstrap(target) != "client-credentials"
            and OFFLINE_ACCESS in target.required_permissions
        ]
        if not needing:
            continue
        yield ctx.finding(
            RULE,
            f"app {plan.name} does not list offline_access: no refresh token is issued, so "
            f"{target_list(needing)} can send or read mail for only about an hour after each "
            "sign-in",
            ("apps", plan.name, "permissions"),
            fix=f"add `offline_access` to apps.{plan.name}.permissions and to the registration: "
            f"{add_permission_path(plan, offline)} (or `{az_permission_add(plan, offline)}`), "
            "grant consent again and re-run the target's token bootstrap",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="ms-offline-access-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
)
