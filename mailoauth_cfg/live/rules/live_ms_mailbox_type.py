"""A mailbox's type in Exchange differs from the declared ``mailbox:`` (user or shared).

**What.** Exchange's ``RecipientTypeDetails`` (``Get-Mailbox``; else Graph's
``mailboxSettings.userPurpose``) is ``SharedMailbox`` for a mailbox declared ``user``, or
``UserMailbox`` for one declared ``shared``, or another type (room, equipment).

**Why.** A shared mailbox has no sign-in of its own: the token must be obtained by a member
(``sign_in_as``) with FullAccess and the mailbox address given in XOAUTH2; a user mailbox signs
in itself and needs a licence. Rendered runbooks and the other checks depend on the type.

**Fix.** Correct ``mailbox:`` (and ``sign_in_as:`` for a shared mailbox), or convert the mailbox.

Source: https://learn.microsoft.com/graph/api/resources/mailboxsettings (userPurpose);
MicrosoftDocs/office-docs-powershell:exchange/docs-conceptual/cmdlet-property-sets.md
(RecipientTypeDetails).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, unknown
from mailoauth_cfg.live.rules._user_common import mailbox_kind, primary_address
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def shared_fix(ctx: Context, email: str, mailbox: str) -> str:
    """The fix for a mailbox declared ``user`` that is shared, offering a delegate only where
    every target using it can sign in for a shared mailbox (or reaches it app-only)."""
    uses = ctx.uses_of_user(email)
    delegate_ok = all(
        plan.facts.shared_mailbox_supported
        or (plan.app is not None and plan.app.flow == "app-only")
        for plan, _ in uses
    )
    if delegate_ok:
        return "set mailbox: shared and sign_in_as: <a member with FullAccess>"
    names = ", ".join(sorted(plan.name for plan, _ in uses))
    return (
        f"the application of {names} cannot sign in for a shared mailbox: convert {mailbox} to "
        f"a user mailbox (Set-Mailbox -Identity {mailbox} -Type Regular, then license it), or "
        "reach it through an app-only app or a target that supports shared mailboxes"
    )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare declared and actual mailbox types."""
    for index, user, tenant in microsoft_users(ctx):
        path = ("users", index, "mailbox")
        obj = ObjectRef.user(user.email)
        kind = mailbox_kind(tenant, user.email)
        if isinstance(kind, Unknown):
            yield unknown(
                ctx, RULE, f"the mailbox type of {user.email}", kind.reason, path, object=obj
            )
            continue
        if kind is None or kind == user.mailbox:
            continue
        if user.mailbox is None:
            # Not declared: the tenant says what it is; only a shared mailbox used by a target
            # that cannot log in to one is a problem.
            unfit = sorted(
                plan.name
                for plan, _ in ctx.uses_of_user(user.email)
                if kind == "shared"
                and not plan.facts.shared_mailbox_supported
                and not plan.client_credentials
            )
            if not unfit:
                continue
            yield finding(
                ctx,
                RULE,
                f"{user.email} is a shared mailbox in Exchange Online, which "
                f"{', '.join(unfit)} cannot log in to (it authenticates the account that signs "
                "in, not a shared address)",
                ("users", index),
                fix=shared_fix(ctx, user.email, primary_address(ctx, tenant, user.email)),
                object=obj,
            )
            continue
        actual = {"shared": "a shared mailbox", "user": "a user mailbox"}.get(kind, kind)
        mailbox = primary_address(ctx, tenant, user.email)
        if user.mailbox == "user" and kind == "shared":
            fix = shared_fix(ctx, user.email, mailbox)
        elif user.mailbox == "user":
            fix = f"use a user mailbox, or set mailbox: to what {mailbox} is"
        else:
            fix = "set mailbox: user (it signs in itself and needs a licence)"
        yield finding(
            ctx,
            RULE,
            f"{user.email} is declared a {user.mailbox} mailbox but is {actual} in Exchange Online",
            path,
            fix=fix,
            object=obj,
        )


RULE = Rule.define(
    __doc__,
    id="live-ms-mailbox-type",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("mailbox_settings", "mailboxes", "users"),
    impacts=((Severity.ERROR, "the declared mailbox type is wrong: the sign-in plan cannot work"),),
)
