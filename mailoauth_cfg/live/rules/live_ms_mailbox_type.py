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
from mailoauth_cfg.live.rules._base import LiveRule, finding, microsoft_users, unknown
from mailoauth_cfg.live.rules._user_common import mailbox_kind
from mailoauth_cfg.live.snapshot import Snapshot, Unknown
from mailoauth_cfg.rules._base import Context, RuleOptions


def check(ctx: Context, snapshot: Snapshot, options: RuleOptions) -> Iterator[Finding]:
    """Compare declared and actual mailbox types."""
    for index, user, tenant in microsoft_users(ctx, snapshot):
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
        actual = {"shared": "a shared mailbox", "user": "a user mailbox"}.get(kind, kind)
        if user.mailbox == "user":
            fix = "set mailbox: shared and sign_in_as: <a member with FullAccess>"
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


RULE = LiveRule.define(
    __doc__,
    id="live-ms-mailbox-type",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
)
