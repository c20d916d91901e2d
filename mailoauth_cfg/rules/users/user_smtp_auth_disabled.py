"""A mailbox that sends over SMTP has SMTP AUTH disabled.

**What.** A Microsoft mailbox declares ``smtp_auth: disabled``
(``SmtpClientAuthenticationDisabled = $true`` on the mailbox) while a target sends as it over
SMTP (``smtp`` in the target's ``protocols``).

**Why.** The per-mailbox switch gates SMTP AUTH as a protocol, whatever the mechanism:
XOAUTH2 submission is refused like a password, with ``535 5.7.139 Authentication
unsuccessful, SmtpClientAuthentication is disabled for the Mailbox``. The token is valid and
the app registration is right, which makes this the most puzzling OAuth SMTP failure.

**Fix.** ``Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false``, then
declare ``smtp_auth: enabled``. Enabling it for this mailbox only keeps the tenant-wide
setting off for everyone else.

Source: MicrosoftDocs/office-docs-powershell:
exchange/exchange-ps/ExchangePowerShell/Set-CASMailbox.md; user reports
simonrob/email-oauth2-proxy#193, MicrosoftDocs/OfficeDocs-Exchange#2075.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules._text import ps_arg
from mailoauth_cfg.rules.users._common import plans_of_user, provider_type, targets_phrase


def enable_cmdlet(email: str) -> str:
    """The cmdlet that enables SMTP AUTH for one mailbox."""
    return f"Set-CASMailbox -Identity {ps_arg(email)} -SmtpClientAuthenticationDisabled $false"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find sending mailboxes with SMTP AUTH disabled."""
    for index, user in enumerate(ctx.config.users):
        if user.smtp_auth != "disabled" or provider_type(ctx, user) != "microsoft":
            continue
        senders = [p.name for p, _ in plans_of_user(ctx, user.email) if "smtp" in p.protocols]
        if not senders:
            continue
        yield ctx.finding(
            RULE,
            f"{user.email} has smtp_auth: disabled (SmtpClientAuthenticationDisabled=$true) but "
            f"it sends over SMTP for {targets_phrase(senders)}: submission fails with '535 5.7.139 "
            "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox'"
            " (XOAUTH2 included)",
            ("users", index, "smtp_auth"),
            fix=f"`{enable_cmdlet(user.email)}`, then set `smtp_auth: enabled`",
            object=ObjectRef.user(user.email),
        )


RULE = Rule.define(
    __doc__,
    id="user-smtp-auth-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=((Severity.ERROR, "SMTP AUTH declared off for the mailbox: 535 5.7.139"),),
)
