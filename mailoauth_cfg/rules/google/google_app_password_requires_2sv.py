"""A Google mailbox used with an app password is not declared with 2-Step Verification.

**What.** A target uses ``auth: app-password`` (Open Bee with Google, for instance) for a
Google mailbox whose ``two_step_verification`` is ``false`` (error), or not declared (info:
the live check reads it). For Workspace accounts
an additional info reminds that the administrator must allow it.

**Why.** Google offers app passwords only to accounts with 2-Step Verification turned on;
turning 2SV off revokes every app password. Without it there is no password the application
can use (plain passwords stopped working with the retirement of less secure apps). In Google
Workspace the administrator decides whether users may turn on 2SV, and app passwords are not
available when 2SV is enforced with security keys only or under Advanced Protection.

**Fix.** Turn on 2-Step Verification for the account (myaccount.google.com › Security ›
2-Step Verification), create the app password at https://myaccount.google.com/apppasswords,
store it where the target's ``app_password`` points, and declare
``two_step_verification: true``. Workspace: Admin console › Security › Authentication ›
2-Step Verification › *Allow users to turn on 2-Step Verification*. Better still, use a
target that supports OAuth.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration)
(2-step verification on the account, and for Workspace the admin must allow it);
https://support.google.com/a/answer/14114704 (app passwords are the exception to the end of
password access); the Open Bee
facts (``google.auth``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import GoogleProvider, User
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import listing, targets_phrase

_ADMIN = (
    "Admin console › Security › Authentication › 2-Step Verification › Allow users to turn on "
    "2-Step Verification (enforcement must not be 'Only security key')"
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check 2SV of every Google mailbox used with an app password."""
    by_user: dict[str, tuple[User, list[str]]] = {}
    for plan in ctx.target_plans():
        if plan.target.auth != "app-password":
            continue
        workspace_users: list[str] = []
        for address in plan.target.users:
            user = ctx.user(address)
            if user is None:
                continue
            provider = ctx.provider(user.provider)
            if not isinstance(provider, GoogleProvider):
                continue
            by_user.setdefault(user.email.lower(), (user, []))[1].append(plan.name)
            if provider.account == "workspace":
                workspace_users.append(user.email)
        if workspace_users:
            yield ctx.finding(
                RULE,
                f"target {plan.name} uses app passwords of Workspace accounts "
                f"({listing(workspace_users)}): the Workspace administrator must allow "
                "2-Step Verification for them",
                ("targets", plan.name, "auth"),
                fix=_ADMIN,
                object=plan.object,
                severity=Severity.INFO,
            )
    for key in sorted(by_user):
        user, targets = by_user[key]
        if user.two_step_verification is True:
            continue
        declared = user.two_step_verification is False
        yield ctx.finding(
            RULE,
            f"{user.email} is used with an app password by {targets_phrase(targets)} but "
            + (
                "two_step_verification is false: Google issues app passwords only to accounts "
                "with 2-Step Verification, and turning it off revokes them"
                if declared
                else "two_step_verification is not declared: app passwords exist only with "
                "2-Step Verification (checked by --online, live-google-two-step-verification)"
            ),
            (*ctx.user_path(user.email), "two_step_verification"),
            fix=f"turn on 2-Step Verification for {user.email} (myaccount.google.com › Security "
            "› 2-Step Verification), create the app password at "
            "https://myaccount.google.com/apppasswords and set `two_step_verification: true`",
            object=ObjectRef.user(user.email),
            severity=None if declared else Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="google-app-password-requires-2sv",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (Severity.ERROR, "2SV declared off: no app password exists"),
        (Severity.INFO, "2SV not declared: checked by --online"),
    ),
)
