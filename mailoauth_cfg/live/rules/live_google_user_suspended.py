"""A Google mailbox's account is suspended or archived.

**What.** The Directory user of ``users[].email`` has ``suspended: true`` (with its
``suspensionReason``) or ``archived: true``.

**Why.** A suspended user cannot sign in: consent fails, existing refresh tokens stop working
(``invalid_grant``) and Gmail refuses IMAP/SMTP. An archived user (Archived User licence) has no
active Gmail service either.

**Fix.** Admin console › Directory › Users › <user> › Reactivate (suspended), or assign an
active licence instead of the Archived User one; or point the targets at another mailbox.

Source: https://developers.google.com/admin-sdk/directory/reference/rest/v1/users (``suspended``,
``suspensionReason``, ``archived``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import ADMIN_USERS, FAMILY, google_users
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report suspended and archived mailboxes."""
    for index, user, domain in google_users(ctx):
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        found = domain.user(user.email)
        if isinstance(found, Unknown):
            yield unknown(
                ctx, RULE, f"whether {user.email} is active", found.reason, path, object=obj
            )
            continue
        if found is None:
            continue
        if found.suspended:
            why = f" ({found.suspension_reason})" if found.suspension_reason else ""
            yield finding(
                ctx,
                RULE,
                f"the Google account {found.primary_email} of {user.email} is suspended{why}: "
                "it cannot sign in, its refresh tokens fail (invalid_grant) and Gmail refuses "
                "the login",
                path,
                fix=f"{ADMIN_USERS} › {found.primary_email} › Reactivate, or use another mailbox",
                object=obj,
            )
        elif found.archived:
            yield finding(
                ctx,
                RULE,
                f"the Google account {found.primary_email} of {user.email} is archived: it has "
                "no active Gmail service",
                path,
                fix=f"{ADMIN_USERS} › {found.primary_email} › Licenses: assign an active "
                "Google Workspace licence instead of Archived User",
                object=obj,
            )


RULE = Rule.define(
    __doc__,
    id="live-google-user-suspended",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("users",),
    impacts=((Severity.ERROR, "the account is suspended: no sign-in"),),
)
