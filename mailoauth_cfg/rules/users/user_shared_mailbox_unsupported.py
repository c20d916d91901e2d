"""A shared mailbox is used by a target that cannot send or read as one, or on Google.

**What.** A user with ``mailbox: shared`` is listed by a target whose kind does not support
shared mailboxes (``TargetFacts.shared_mailbox_supported``: the kinds that write the XOAUTH2
user apart from the token, email-oauth2-proxy, msmtp and Postfix with sasl-xoauth2, do),
unless the target's app is ``flow: app-only`` (client credentials reach a shared mailbox
through the service principal's mailbox permissions). Also reported: ``mailbox: shared`` on a
Google user, since Gmail has no shared mailboxes.

**Why.** A shared mailbox has no password and no sign-in of its own: a delegated token
belongs to the member who signed in, and XOAUTH2 must then name the shared address in
``user=`` while the token is the member's. Applications that take the XOAUTH2 user from the
token owner, or that require the primary address of the signed-in account (Open Bee: "no
shared mailboxes"), authenticate the member, not the shared mailbox, and sending as the
shared address fails (``535 5.7.3`` or ``SendAsDenied``).

**Fix.** Use the shared mailbox through a target that supports it (e.g. email-oauth2-proxy,
with the account section named after the shared address and a member signing in), or use an app
with ``flow: app-only`` and grant the service principal ``FullAccess``/``SendAs`` on the
mailbox, or convert it to a licensed user mailbox (``Set-Mailbox -Identity <mailbox> -Type
Regular``). On Google, use a user account (or delegate access to one).

Source: each kind's facts (shared_mailbox_supported);
https://help.openbee.com/ (Office 365 and G Suite SMTP configuration) (no shared mailboxes);
simonrob/email-oauth2-proxy:README.md (shared mailboxes);
https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(shared mailbox, delegated).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.users._common import provider_type


def _supporting_kinds() -> str:
    return ", ".join(sorted(p.key for p in registry.plugins() if p.facts.shared_mailbox_supported))


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find shared mailboxes used where they cannot work."""
    for index, user in enumerate(ctx.config.users):
        if user.mailbox == "shared" and provider_type(ctx, user) == "google":
            yield ctx.finding(
                RULE,
                f"{user.email} is declared as a shared mailbox, but Gmail has no shared "
                "mailboxes: every Google mailbox is a user account that signs in itself",
                ("users", index, "mailbox"),
                fix="remove `mailbox: shared` (a Google user account signs in for itself), or "
                "use a user account with delegated access",
                object=ObjectRef.user(user.email),
            )
    for plan in ctx.target_plans():
        if plan.facts.shared_mailbox_supported:
            continue
        if plan.app is not None and plan.app.flow == "app-only":
            continue
        for position, address in enumerate(plan.target.users):
            member = ctx.user(address)
            if member is None or member.mailbox != "shared":
                continue
            if provider_type(ctx, member) == "google":
                continue  # reported once on the user above
            yield ctx.finding(
                RULE,
                f"{member.email} is a shared mailbox, which target {plan.name} "
                f"({plan.facts.display_name}) cannot use: it authenticates the account that "
                "signed in, not a shared address",
                ("targets", plan.name, "users", position),
                fix=f"use a licensed user mailbox (`Set-Mailbox -Identity {member.email} -Type "
                "Regular`), an app with `flow: app-only` and mailbox permissions, or a target "
                f"that supports shared mailboxes ({_supporting_kinds()})",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="user-shared-mailbox-unsupported",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=((Severity.ERROR, "the target cannot log in to a shared mailbox"),),
)
