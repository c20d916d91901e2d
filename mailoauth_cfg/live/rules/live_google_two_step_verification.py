"""A Google mailbox used with an app password lacks 2-Step Verification, or its 2SV is misdeclared.

**What.** For every Google mailbox a target logs in to with ``auth: app-password``, the
Directory's ``isEnrolledIn2Sv`` must be ``true`` (error). For every Google mailbox that declares
``two_step_verification``, the declaration must match ``isEnrolledIn2Sv`` (warning).

**Why.** Google issues app passwords only to accounts with 2-Step Verification, and turning 2SV
off revokes every app password: the target's login fails
(``535-5.7.8 Username and Password not accepted``). A stale declaration makes the offline
``google-app-password-requires-2sv`` check wrong.

**Fix.** Turn on 2-Step Verification for the account (myaccount.google.com › Security ›
2-Step Verification; a Workspace administrator must allow it: Admin console › Security ›
Authentication › 2-Step Verification), create a new app password, and declare
``two_step_verification`` as the Directory shows it.

Source: https://support.google.com/a/answer/14114704 (app passwords need 2SV);
https://developers.google.com/admin-sdk/directory/reference/rest/v1/users (``isEnrolledIn2Sv``).
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
    """Check 2SV of app-password mailboxes and every declared ``two_step_verification``."""
    by_provider: dict[str, dict[str, list[str]]] = {}
    for index, user, domain in google_users(ctx):
        if user.provider not in by_provider:
            by_provider[user.provider] = app_password_users(plans(ctx), user.provider)
        targets = by_provider[user.provider].get(user.email.lower(), [])
        declared = user.two_step_verification
        if not targets and declared is None:
            continue
        obj = ObjectRef.user(user.email)
        path = ("users", index, "email")
        found = domain.user(user.email)
        if isinstance(found, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the 2-Step Verification of {user.email}",
                found.reason,
                path,
                object=obj,
            )
            continue
        if found is None or found.is_enrolled_in_2sv is None:
            continue
        enrolled = found.is_enrolled_in_2sv
        if targets and not enrolled:
            yield finding(
                ctx,
                RULE,
                f"{user.email} is not enrolled in 2-Step Verification, but "
                f"{phrase('target', targets)} log in with an app password: Google issues app "
                "passwords only with 2SV (turning it off revoked them), so the login fails",
                path,
                fix=f"turn on 2-Step Verification for {user.email} (myaccount.google.com › "
                "Security › 2-Step Verification; Admin console › Security › Authentication › "
                "2-Step Verification must allow it), then create a new app password",
                object=obj,
            )
        elif declared is not None and declared != enrolled:
            yield finding(
                ctx,
                RULE,
                f"{user.email} declares two_step_verification: {str(declared).lower()} but the "
                f"Directory says it is {'' if enrolled else 'not '}enrolled",
                ("users", index, "two_step_verification"),
                fix=f"set two_step_verification: {str(enrolled).lower()}",
                object=obj,
                severity=Severity.WARNING,
            )


RULE = Rule.define(
    __doc__,
    id="live-google-two-step-verification",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("users",),
    supersedes=("google-app-password-requires-2sv",),
    impacts=(
        (Severity.ERROR, "no 2SV: no app password"),
        (Severity.WARNING, "2SV differs from the declaration"),
    ),
)
