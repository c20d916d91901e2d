"""The account that signs in for a mailbox is disabled (sign-in blocked).

**What.** ``accountEnabled`` is ``false`` for a user mailbox, or for the ``sign_in_as`` account
of a shared mailbox (a shared mailbox's own account is normally blocked, and is not reported).

**Why.** Token requests and refreshes fail with ``AADSTS50057`` (the user account is disabled).

**Fix.** Microsoft 365 admin center › Users › <user> › Unblock sign-in, or sign in with another
account.

Source: https://learn.microsoft.com/graph/api/resources/user (accountEnabled).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, unknown
from mailoauth_cfg.live.rules._user_common import declared_shared
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report disabled accounts that must sign in."""
    for index, user, tenant in microsoft_users(ctx):
        if declared_shared(user):
            if not user.sign_in_as:
                continue
            address, path = user.sign_in_as, ("users", index, "sign_in_as")
        else:
            address, path = user.email, ("users", index, "email")
        obj = ObjectRef.user(user.email)
        found = tenant.user(address)
        if isinstance(found, Unknown):
            yield unknown(
                ctx, RULE, f"whether {address} may sign in", found.reason, path, object=obj
            )
        elif found is not None and found.account_enabled is False:
            yield finding(
                ctx,
                RULE,
                f"the account {address} is disabled (sign-in blocked): token requests fail with "
                "AADSTS50057",
                path,
                fix=f"Microsoft 365 admin center › Users › {address} › Unblock sign-in",
                object=obj,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-user-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("users",),
    impacts=((Severity.ERROR, "sign-in is blocked for the account"),),
)
