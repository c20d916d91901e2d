"""A target's mailbox belongs to another provider than the target's app.

**What.** A mailbox listed by a target is declared in provider B while the target's app is
registered in provider A:

* different platforms (a Microsoft app for a Google mailbox or the reverse): error;
* two Microsoft tenants: error for a single-tenant or personal-accounts-only app, warning for
  a multi-tenant app (it works only once the app is consented in tenant B and the target
  authenticates against tenant B);
* two Google providers: error when the app's consent screen is Internal, warning otherwise
  (External admits other organisations, but their administrators can block the app; a
  service account needs B's domain-wide delegation allow-list).

**Why.** A token is issued by the app's tenant for accounts it knows. A single-tenant Entra app
rejects accounts of another tenant (``AADSTS50020``); an Internal Google client rejects
accounts outside its organisation (``Error 403: org_internal``); a Microsoft token never opens
a Gmail mailbox and the reverse. Most often the mailbox or the app reference is simply wrong.

**Fix.** Use an app registered in the mailbox's provider, or correct the user's ``provider:``.
When the cross-tenant use is intended with a multi-tenant app: grant admin consent in tenant B
(``https://login.microsoftonline.com/<tenant B>/adminconsent?client_id=<client id>``), point the
target at tenant B, and suppress with the reason.

Source: https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
(AADSTS50020); https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent;
https://developers.google.com/identity/protocols/oauth2/service-account (domain-wide
delegation); support.google.com/cloud/answer/15549945 (user type).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import GoogleProvider, MicrosoftProvider, User
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

_NAMES = {"microsoft": "Microsoft", "google": "Google"}


def _verdict(ctx: Context, plan: TargetPlan, user: User) -> tuple[Severity, str, str] | None:
    """(severity, why, fix) for one mailbox of another provider, or ``None`` if fine."""
    app = plan.app
    ours = plan.provider
    theirs = ctx.provider(user.provider)
    if app is None or ours is None or theirs is None or user.provider == app.provider:
        return None
    fix = f"use an app registered in provider {user.provider}, or correct the user's `provider:`"
    if ours.type != theirs.type:
        return (
            Severity.ERROR,
            f"a {_NAMES[ours.type]} token cannot sign in a {_NAMES[theirs.type]} mailbox",
            fix,
        )
    if isinstance(ours, MicrosoftProvider) and isinstance(theirs, MicrosoftProvider):
        if app.audience in ("single-tenant", "personal"):
            return (
                Severity.ERROR,
                f"app {plan.app_name} is {app.audience}: tenant {theirs.tenant} accounts are "
                "refused (AADSTS50020)",
                fix,
            )
        return (
            Severity.WARNING,
            f"app {plan.app_name} is {app.audience}: it works only once consented in tenant "
            f"{theirs.tenant} and with that tenant's endpoints",
            f"grant admin consent in the mailbox's tenant (https://login.microsoftonline.com/"
            f"{theirs.tenant}/adminconsent?client_id={app.client_id}), then suppress with the "
            "reason; or " + fix,
        )
    if isinstance(ours, GoogleProvider) and isinstance(theirs, GoogleProvider):
        if app.flow == "app-only":
            where = theirs.domain or user.provider
            return (
                Severity.WARNING,
                f"service account {app.client_id} acts in {where} only if that domain's "
                "domain-wide delegation allow-list holds it",
                "add it in the Admin console of "
                f"{where} (Security › Access and data control › API controls › Domain-wide "
                "delegation), then suppress with the reason; or " + fix,
            )
        screen = ours.consent_screen
        if screen is not None and screen.audience == "internal":
            return (
                Severity.ERROR,
                f"the consent screen of {app.provider} is Internal: accounts of another "
                "organisation are refused (Error 403: org_internal)",
                fix,
            )
        return (
            Severity.WARNING,
            f"it works only with an External consent screen on {app.provider} and if "
            f"{user.provider}'s administrator allows the app (Admin console › Security › "
            "Access and data control › API controls › App access control)",
            "confirm both and suppress with the reason; or " + fix,
        )
    return None


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each target mailbox's provider with the target app's provider."""
    for plan in ctx.target_plans():
        if plan.app is None or plan.target.auth != "oauth2":
            continue
        for position, address in enumerate(plan.target.users):
            user = ctx.user(address)
            if user is None:
                continue
            verdict = _verdict(ctx, plan, user)
            if verdict is None:
                continue
            severity, why, fix = verdict
            yield ctx.finding(
                RULE,
                f"{user.email} (provider {user.provider}) is used by target {plan.name} through "
                f"app {plan.app_name} of provider {plan.app.provider}: {why}",
                ("targets", plan.name, "users", position),
                fix=fix,
                object=plan.object,
                severity=severity,
            )


RULE = Rule.define(
    __doc__,
    id="user-provider-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=(
        (Severity.ERROR, "the app's tenant does not hold the mailbox: its sign-in fails"),
        (Severity.WARNING, "a guest or cross-tenant setup works only with extra configuration"),
    ),
)
