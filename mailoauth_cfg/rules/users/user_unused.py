"""A declared mailbox is used by no target.

**What.** A user in ``users:`` is listed by no target and is nobody's ``sign_in_as``.

**Why.** An unused mailbox is usually a leftover (the target was removed or renamed) or a
typo in a target's ``users:`` that the reference check could not catch because both
addresses are declared. It also keeps checks (SMTP AUTH, licences) running on a mailbox that
no longer needs them, and may keep a mailbox with SMTP AUTH enabled for nothing.

**Fix.** Remove the entry, or add the mailbox to the target that should use it. If SMTP AUTH
was enabled only for that use, turn it off again:
``Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $true``.

Source: design principle of mailoauth-cfg (the config describes what is in use).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find mailboxes no target uses."""
    used = {a.lower() for t in ctx.config.targets.values() for a in t.users}
    used |= {u.sign_in_as.lower() for u in ctx.config.users if u.sign_in_as is not None}
    for index, user in enumerate(ctx.config.users):
        if user.email.lower() in used:
            continue
        fix = "remove the entry or add the mailbox to a target's `users:`"
        if user.smtp_auth == "enabled":
            fix += (
                "; if SMTP AUTH was enabled only for it, turn it off again: `Set-CASMailbox "
                f"-Identity {user.email} -SmtpClientAuthenticationDisabled $true`"
            )
        yield ctx.finding(
            RULE,
            f"mailbox {user.email} is declared but no target uses it",
            ("users", index, "email"),
            fix=fix,
            object=ObjectRef.user(user.email),
        )


RULE = Rule.define(
    __doc__,
    id="user-unused",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=((Severity.INFO, "a leftover declaration: nothing breaks"),),
)
