"""A Google mailbox that a target logs in to with an app password has none.

**What.** For every Google mailbox of a target with ``auth: app-password``, the Directory's
``asps.list`` must return at least one app password.

**Why.** With no app password the target's stored password cannot be one (it was never
created, or it was revoked, for instance when 2-Step Verification was turned off): Gmail refuses
the login with ``535-5.7.8 Username and Password not accepted``, since plain account passwords
no longer work (less secure apps are retired).

**Fix.** Sign in as the mailbox, create an app password at https://myaccount.google.com/apppasswords
and store it where the target's ``app_password`` points; better, move the target to OAuth when
the application supports OAuth with Google (the fix says so only then).

Source: https://support.google.com/a/answer/14114704 (exception: app passwords);
https://developers.google.com/admin-sdk/directory/reference/rest/v1/asps/list.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.google.needs import app_password_users
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import FAMILY, google_users, phrase, plans
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Each app-password mailbox must hold at least one app password."""
    by_provider: dict[str, dict[str, list[str]]] = {}
    for index, user, domain in google_users(ctx):
        if user.provider not in by_provider:
            by_provider[user.provider] = app_password_users(plans(ctx), user.provider)
        targets = by_provider[user.provider].get(user.email.lower(), [])
        if not targets:
            continue
        obj = ObjectRef.user(user.email)
        path = ("users", index, "email")
        account = domain.user(user.email)
        if account is None:
            continue  # live-google-user-missing reports it
        found = domain.app_passwords_of(user.email)
        if isinstance(found, Unknown):
            yield unknown(
                ctx, RULE, f"the app passwords of {user.email}", found.reason, path, object=obj
            )
            continue
        if found:
            continue
        # Offer OAuth only where the application can do it with Google (some, such as Open Bee,
        # support app passwords only).
        oauth_capable = all(
            (profile := ctx.plans.targets[name].facts.google) is not None
            and profile.auth == "oauth2"
            for name in targets
        )
        yield finding(
            ctx,
            RULE,
            f"{user.email} has no app password, but {phrase('target', targets)} log in with "
            "one: Gmail refuses the login (535-5.7.8 Username and Password not accepted)",
            path,
            fix=f"as {user.email}, create an app password at "
            "https://myaccount.google.com/apppasswords and store it where the target's "
            "app_password points" + (" (or move the target to OAuth)" if oauth_capable else ""),
            object=obj,
        )


RULE = Rule.define(
    __doc__,
    id="live-google-app-password-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("app_passwords", "users"),
    impacts=((Severity.ERROR, "no app password to log in with"),),
)
