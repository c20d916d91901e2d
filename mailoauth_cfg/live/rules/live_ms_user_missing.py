"""A mailbox (or the account that signs in for a shared one) does not exist in the tenant.

**What.** ``users[].email`` (and ``sign_in_as``) is looked up as a user principal name, then
among every user's proxy addresses; nothing has that address.

**Why.** The XOAUTH2 login (``user=<address>``) and the sign-in both fail: there is no such
mailbox (``535 5.7.3``, ``AADSTS50034``).

**Fix.** Correct the address, create the mailbox, or add the address to the right mailbox.

Source: https://learn.microsoft.com/graph/api/user-get (``GET /users/{upn}``);
https://learn.microsoft.com/graph/api/resources/user (proxyAddresses).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, unknown
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Look every mailbox and sign-in account up."""
    for index, user, tenant in microsoft_users(ctx):
        checks = [(user.email, ("users", index, "email"), "mailbox")]
        if user.sign_in_as:
            checks.append((user.sign_in_as, ("users", index, "sign_in_as"), "sign-in account"))
        for address, path, label in checks:
            found = tenant.user(address)
            obj = ObjectRef.user(user.email)
            if isinstance(found, Unknown):
                yield unknown(ctx, RULE, f"the {label} {address}", found.reason, path, object=obj)
            elif found is None:
                yield finding(
                    ctx,
                    RULE,
                    f"no user in tenant {tenant.tenant} has the address {address} ({label} of "
                    f"{user.email}): sign-in and the XOAUTH2 login fail",
                    path,
                    fix="correct the address, or create the mailbox / add the address to it "
                    "(Microsoft 365 admin center › Users › Active users)",
                    object=obj,
                )


RULE = Rule.define(
    __doc__,
    id="live-ms-user-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("users",),
    impacts=((Severity.ERROR, "the mailbox or its signing account does not exist"),),
)
