"""A declared Google mailbox address is an alias, not the account's primary address.

**What.** The Directory user found for ``users[].email`` has another ``primaryEmail``: the
declared address is one of its aliases.

**Why.** The Google account that consents, and so owns the token, is the primary address; the
XOAUTH2 ``user=`` must name the account the token was issued to, and the consent prompt shows
the primary address, not the alias. Sending as the alias also needs it as a Gmail send-as
address.

**Fix.** Put the primary address in ``email:`` and list the alias under ``aliases:`` (use the
alias as a target's ``sender`` if mail must come from it).

Source: https://developers.google.com/admin-sdk/directory/reference/rest/v1/users
(``primaryEmail``, ``aliases``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import FAMILY, google_users
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each declared address with the account's primary address."""
    for index, user, domain in google_users(ctx):
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        found = domain.user(user.email)
        if isinstance(found, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"whether {user.email} is a primary address",
                found.reason,
                path,
                object=obj,
            )
            continue
        if found is None or found.primary_email.lower() == user.email.lower():
            continue
        primary = found.primary_email
        yield finding(
            ctx,
            RULE,
            f"{user.email} is an alias of the Google account {primary}: the consent and the "
            f"token are {primary}'s, so sign in and log in (XOAUTH2 user=) as {primary}",
            path,
            fix=f"set email: {primary} and add {user.email} to aliases",
            object=obj,
        )


RULE = Rule.define(
    __doc__,
    id="live-google-address-not-primary",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("users",),
    impacts=((Severity.ERROR, "an alias as login is refused"),),
)
