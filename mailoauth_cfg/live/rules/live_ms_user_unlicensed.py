"""A user mailbox has no Exchange Online licence.

**What.** None of the user's ``assignedPlans`` is an enabled ``exchange`` service plan. Shared
mailboxes (declared ``mailbox: shared``) need no licence and are skipped.

**Why.** Without an Exchange plan the user has no mailbox (or it is disconnected after the grace
period): SMTP, IMAP and POP logins fail.

**Fix.** Assign a licence with Exchange Online (Microsoft 365 admin center › Users › <user> ›
Licenses and apps), or declare the mailbox ``shared``.

Source: https://learn.microsoft.com/graph/api/resources/assignedplan (service, capabilityStatus).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, unknown
from mailoauth_cfg.live.rules._user_common import declared_shared
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report user mailboxes without an enabled Exchange plan."""
    for index, user, tenant in microsoft_users(ctx):
        if declared_shared(user):
            continue
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        found = tenant.user(user.email)
        if isinstance(found, Unknown):
            yield unknown(ctx, RULE, f"the licence of {user.email}", found.reason, path, object=obj)
        elif found is not None and not found.exchange_licensed:
            plans = sorted(
                {f"{p.service}:{p.capability_status}" for p in found.assigned_plans if p.service}
            )
            held = f" (plans: {', '.join(plans)})" if plans else " (no plans)"
            yield finding(
                ctx,
                RULE,
                f"{user.email} has no enabled Exchange Online plan{held}: no mailbox to send "
                "from or read",
                path,
                fix=f"Microsoft 365 admin center › Users › {user.email} › Licenses and apps: "
                "assign a licence with Exchange Online (or declare mailbox: shared)",
                object=obj,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-user-unlicensed",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("users",),
    impacts=((Severity.ERROR, "no Exchange licence: no mailbox to log in to"),),
)
