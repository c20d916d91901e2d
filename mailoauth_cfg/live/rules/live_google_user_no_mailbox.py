"""A Google user has no Gmail mailbox (``isMailboxSetup`` is false).

**What.** The Directory user of ``users[].email`` reports ``isMailboxSetup: false``: Gmail has
not created a mailbox for it (no licence that includes Gmail, Gmail turned off for its
organisational unit, or a user created moments ago).

**Why.** There is nothing for IMAP, POP or SMTP to log in to: XOAUTH2 is refused even with a
valid token.

**Fix.** Admin console › Directory › Users › <user> › Licenses: assign a Google Workspace
licence that includes Gmail, and check that Gmail is ON for the user's organisational unit
(Admin console › Apps › Google Workspace › Gmail › Service status).

Source: https://developers.google.com/admin-sdk/directory/reference/rest/v1/users
(``isMailboxSetup``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import ADMIN_USERS, FAMILY, google_users
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report users without a Gmail mailbox."""
    for index, user, domain in google_users(ctx):
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        found = domain.user(user.email)
        if isinstance(found, Unknown):
            yield unknown(
                ctx, RULE, f"the Gmail mailbox of {user.email}", found.reason, path, object=obj
            )
            continue
        if found is None or found.is_mailbox_setup is not False:
            continue
        ou = f" (organisational unit {found.org_unit_path})" if found.org_unit_path else ""
        yield finding(
            ctx,
            RULE,
            f"Gmail has no mailbox for {found.primary_email}{ou} (isMailboxSetup false): "
            "IMAP, POP and SMTP logins are refused",
            path,
            fix=f"{ADMIN_USERS} › {found.primary_email} › Licenses: assign a licence that "
            "includes Gmail, and turn Gmail on for its organisational unit (Admin console › "
            "Apps › Google Workspace › Gmail › Service status)",
            object=obj,
        )


RULE = Rule.define(
    __doc__,
    id="live-google-user-no-mailbox",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("users",),
    impacts=((Severity.ERROR, "no Gmail mailbox to log in to"),),
)
