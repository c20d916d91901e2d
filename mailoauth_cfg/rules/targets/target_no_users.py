"""A target lists no mailbox.

**What.** ``targets.<name>.users`` is missing or empty.

**Why.** An OAuth token always belongs to a mailbox: the account that signs in during the
bootstrap and the ``user=`` of XOAUTH2. Without one the tool can neither derive the provider nor
render the sign-in steps, and the application would send as nobody.

**Fix.** List the mailbox (declared under ``users:``) the target sends or reads as:
``users: [name@domain]``.

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(XOAUTH2 ``user=``); https://developers.google.com/gmail/imap/xoauth2-protocol.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import key_or_parent, target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find targets without mailboxes."""
    for plan in ctx.target_plans():
        if plan.target.users:
            continue
        example = next(
            (
                u.email
                for u in ctx.config.users
                if plan.provider_name is None or u.provider == plan.provider_name
            ),
            "name@domain",
        )
        path, at_key = key_or_parent(ctx, target_path(plan.name, "users"))
        yield ctx.finding(
            RULE,
            f"target {plan.name} lists no mailbox: nobody can sign in for its token",
            path,
            fix=f"set `users: [{example}]` (a mailbox declared under `users:`) on target "
            f"{plan.name}",
            object=plan.object,
            at_key=at_key,
        )


RULE = Rule.define(
    __doc__,
    id="target-no-users",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "no mailbox to sign in as: nothing can be sent"),),
)
