"""A Google mailbox does not exist in the Workspace domain.

**What.** ``users[].email`` of a Google provider is looked up with the Directory API
(``users.get``, which accepts a primary address or an alias); no user has that address.

**Why.** There is no Google account to consent, no token to mint and no mailbox: the sign-in
fails and the XOAUTH2 login is refused (``535-5.7.8 Username and Password not accepted``).

**Fix.** Correct the address, or create the user (or add the address as an alias of the right
user): Admin console › Directory › Users.

Source: https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/get
(userKey = primary e-mail, alias or ID).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import ADMIN_USERS, FAMILY, google_users
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Look every Google mailbox up."""
    for index, user, domain in google_users(ctx):
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        found = domain.user(user.email)
        if isinstance(found, Unknown):
            yield unknown(ctx, RULE, f"the mailbox {user.email}", found.reason, path, object=obj)
        elif found is None:
            where = f"domain {domain.domain}" if domain.domain else f"provider {user.provider}"
            yield finding(
                ctx,
                RULE,
                f"no Google user in {where} has the address {user.email}: consent, token and "
                "XOAUTH2 login all fail",
                path,
                fix=f"correct the address, or create the user / add the address as an alias "
                f"({ADMIN_USERS})",
                object=obj,
            )


RULE = Rule.define(
    __doc__,
    id="live-google-user-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("users",),
    impacts=((Severity.ERROR, "the mailbox does not exist"),),
)
