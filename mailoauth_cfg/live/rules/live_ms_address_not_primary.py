"""A declared mailbox address is an alias, not the primary SMTP address.

**What.** The user found for ``users[].email`` has another primary address: its proxy address
with the upper-case ``SMTP:`` prefix differs (aliases carry ``smtp:``).

**Why.** The XOAUTH2 ``user=`` and the login must be the mailbox's primary address (or its UPN);
an alias fails the login (``535 5.7.3``) or sends from the wrong identity, and sending as an
alias needs Exchange's "send from alias" setting.

**Fix.** Put the primary address in ``email:`` and list the alias under ``aliases:``.

Source: https://learn.microsoft.com/graph/api/resources/user (proxyAddresses: ``SMTP`` primary,
``smtp`` secondary).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, unknown
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each declared address with the user's primary SMTP address."""
    for index, user, tenant in microsoft_users(ctx):
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        found = tenant.user(user.email)
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
        if found is None:
            continue
        primary = found.primary_smtp
        if primary is None or primary.lower() == user.email.lower():
            continue
        yield finding(
            ctx,
            RULE,
            f"{user.email} is an alias of the mailbox whose primary address is {primary}: "
            "log in (XOAUTH2 user=) and send as the primary address",
            path,
            fix=f"set email: {primary} and add {user.email} to aliases",
            object=obj,
        )


RULE = Rule.define(
    __doc__,
    id="live-ms-address-not-primary",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("users",),
    impacts=((Severity.ERROR, "an alias as login is refused"),),
)
