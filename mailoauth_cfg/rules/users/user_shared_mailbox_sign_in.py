"""A shared mailbox says nobody (or itself) signs in for it, or a user mailbox names a delegate.

**What.** For each declared mailbox:

* ``mailbox: shared`` without ``sign_in_as`` while a delegated target (or no target yet) uses
  it: info, who signs in and holds the token is not declared (``--online`` checks the access
  of whoever holds it);
* ``sign_in_as`` equal to the mailbox itself: error;
* ``sign_in_as`` naming a declared shared mailbox, or a user of another provider: error;
* ``sign_in_as`` on a ``mailbox: user``: info, it is ignored (a user mailbox signs in as
  itself; a delegate's token for it is judged by ``target-login-mismatch``).

Mailboxes used only through ``flow: app-only`` apps need no sign-in and are skipped.

**Why.** A shared mailbox has no credentials of its own (its account's password is
system-generated and Microsoft recommends blocking its sign-in). With delegated OAuth a member
signs in, the refresh token is the member's, and XOAUTH2 sends the shared address in
``user=``; this works only if the member has ``FullAccess`` (IMAP/POP) or ``SendAs`` (SMTP) on
the shared mailbox. Without knowing the member, neither the bootstrap runbook nor the
permission checks can be produced.

**Fix.** Declare the member: ``sign_in_as: <member address>``, and grant it
``Add-MailboxPermission -Identity <shared> -User <member> -AccessRights FullAccess`` and
``Add-RecipientPermission -Identity <shared> -Trustee <member> -AccessRights SendAs``.

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(shared mailbox, delegated: get the token as a user who has access; put the shared mailbox
address in user=); simonrob/email-oauth2-proxy:README.md (shared mailboxes: the user signs in
as the delegate).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import User
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.users._common import plans_of_user


def grant(shared: str, member: str) -> str:
    """Cmdlets that let ``member`` read and send as ``shared``."""
    return (
        f"`Add-MailboxPermission -Identity {shared} -User {member} -AccessRights FullAccess` "
        f"and `Add-RecipientPermission -Identity {shared} -Trustee {member} -AccessRights SendAs`"
    )


def _needs_sign_in(ctx: Context, user: User) -> bool:
    plans = plans_of_user(ctx, user.email)
    if not plans:
        return True
    return any(p.app is None or p.app.flow != "app-only" for p, _ in plans)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check who signs in for each mailbox."""
    for index, user in enumerate(ctx.config.users):
        obj = ObjectRef.user(user.email)
        member = user.sign_in_as
        if user.mailbox == "user":
            if member is not None and member.lower() != user.email.lower():
                yield ctx.finding(
                    RULE,
                    f"{user.email} is a user mailbox, which signs in as itself: sign_in_as "
                    f"{member} is ignored",
                    ("users", index, "sign_in_as"),
                    fix="remove `sign_in_as`, or set `mailbox: shared` if this is a shared mailbox",
                    object=obj,
                    severity=Severity.INFO,
                )
            continue
        if member is None:
            if user.mailbox == "shared" and _needs_sign_in(ctx, user):
                yield ctx.finding(
                    RULE,
                    f"shared mailbox {user.email} names nobody in sign_in_as: a shared mailbox "
                    "cannot sign in, so a member with access consents and holds its token "
                    "(who it is, and its access, are checked by --online)",
                    ("users", index, "mailbox"),
                    fix=f"add `sign_in_as: <member address>` and grant the member "
                    f"{grant(user.email, '<member>')}",
                    object=obj,
                    severity=Severity.INFO,
                )
            continue
        path = ("users", index, "sign_in_as")
        if member.lower() == user.email.lower():
            yield ctx.finding(
                RULE,
                f"shared mailbox {user.email} names itself in sign_in_as: a shared mailbox has "
                "no credentials to sign in with",
                path,
                fix=f"set `sign_in_as:` to a member with access ({grant(user.email, '<member>')})",
                object=obj,
            )
            continue
        delegate = ctx.user(member)
        if delegate is None:
            continue
        if delegate.mailbox == "shared":
            yield ctx.finding(
                RULE,
                f"shared mailbox {user.email} signs in as {member}, which is itself a shared "
                "mailbox and cannot sign in",
                path,
                fix=f"set `sign_in_as:` to a licensed user with access "
                f"({grant(user.email, '<member>')})",
                object=obj,
            )
        elif delegate.provider != user.provider:
            yield ctx.finding(
                RULE,
                f"shared mailbox {user.email} (provider {user.provider}) signs in as {member}, "
                f"a user of provider {delegate.provider}: only accounts of the same tenant can "
                "be granted access to it and hold its token",
                path,
                fix=f"set `sign_in_as:` to a member of {user.provider} "
                f"({grant(user.email, '<member>')})",
                object=obj,
            )


RULE = Rule.define(
    __doc__,
    id="user-shared-mailbox-sign-in",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=(
        (Severity.ERROR, "the declared account cannot sign in for the shared mailbox"),
        (
            Severity.INFO,
            "who signs in is not declared (checked by --online), or a user mailbox's "
            "sign_in_as is ignored",
        ),
    ),
)
