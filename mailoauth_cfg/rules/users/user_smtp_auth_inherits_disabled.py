"""A sending mailbox inherits SMTP AUTH from a tenant where it is off (or unknown).

**What.** A Microsoft mailbox used by an SMTP target declares ``smtp_auth: inherit``
(``SmtpClientAuthenticationDisabled = $null``, the organisation's value applies), and

* the provider declares ``smtp_auth: disabled`` (``Set-TransportConfig
  -SmtpClientAuthenticationDisabled $true``, the default for tenants created after January
  2020): error, with the decision path in the message;
* the provider does not declare ``smtp_auth``: info, the effective value depends on the tenant
  (live checks read it).

A mailbox that does not declare ``smtp_auth`` in a tenant that declares it off gets one info:
its own value decides, and ``--online`` reads it.

**Why.** The effective value is ``mailbox if mailbox is not $null else organisation``: a
``$null`` mailbox follows the tenant, and a tenant with SMTP AUTH off refuses every
submission, XOAUTH2 included, with ``535 5.7.139 Authentication unsuccessful,
SmtpClientAuthentication is disabled for the Tenant``.

**Fix.** Enable SMTP AUTH for this mailbox only (preferred; keeps the tenant closed, which
security baselines such as CISA ScubaGear MS.EXO.5.1 expect):
``Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false`` and declare
``smtp_auth: enabled``. Enabling it tenant-wide (``Set-TransportConfig
-SmtpClientAuthenticationDisabled $false``) opens it for every mailbox. When the tenant value
is unknown: ``Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled`` and declare
``providers.<name>.smtp_auth``.

Source: MicrosoftDocs/office-docs-powershell Set-CASMailbox.md and Set-TransportConfig.md;
https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission
("A per-mailbox setting that overrides the tenant-wide setting"); user reports
simonrob/email-oauth2-proxy#193, cisagov/ScubaGear#607.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.users._common import plans_of_user, targets_phrase
from mailoauth_cfg.rules.users.user_smtp_auth_disabled import enable_cmdlet


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Resolve the effective SMTP AUTH of inheriting mailboxes that send."""
    for index, user in enumerate(ctx.config.users):
        provider = ctx.provider(user.provider)
        if user.smtp_auth not in ("inherit", None) or not isinstance(provider, MicrosoftProvider):
            continue
        senders = [p.name for p, _ in plans_of_user(ctx, user.email) if "smtp" in p.protocols]
        if not senders or provider.smtp_auth == "enabled":
            continue
        path = ("users", index, "smtp_auth")
        obj = ObjectRef.user(user.email)
        if user.smtp_auth is None:
            if provider.smtp_auth != "disabled":
                continue  # neither side declared: nothing is known, the live check reads both
            yield ctx.finding(
                RULE,
                f"SMTP AUTH is off for tenant {user.provider}, and the setting of "
                f"{user.email} (the sender of {targets_phrase(senders)}) is not declared: it "
                "must be enabled on the mailbox (checked by --online, live-ms-smtp-auth-disabled)",
                ("users", index),
                at_key=True,
                fix=f"`{enable_cmdlet(user.email)}` and declare `smtp_auth: enabled`",
                object=obj,
                severity=Severity.INFO,
            )
            continue
        if provider.smtp_auth == "disabled":
            yield ctx.finding(
                RULE,
                f"SMTP AUTH is off for {user.email}, the sender of {targets_phrase(senders)}: "
                "mailbox: inherit ($null) → org TransportConfig: "
                "SmtpClientAuthenticationDisabled=$true "
                f"(providers.{user.provider}.smtp_auth: disabled) → SMTP AUTH off; submission "
                "fails with '535 5.7.139 ... SmtpClientAuthentication is disabled for the Tenant'",
                path,
                fix=f"enable it for this mailbox only: `{enable_cmdlet(user.email)}` and set "
                "`smtp_auth: enabled` (rather than Set-TransportConfig "
                "-SmtpClientAuthenticationDisabled $false, which opens it tenant-wide)",
                object=obj,
            )
            continue
        yield ctx.finding(
            RULE,
            f"{user.email} inherits SMTP AUTH from tenant {user.provider}, whose value is not "
            f"declared: sending for {targets_phrase(senders)} works only if the tenant allows SMTP "
            "AUTH (live checks read it)",
            path,
            fix="run `Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled` and "
            f"declare `providers.{user.provider}.smtp_auth`, or set this mailbox explicitly: "
            f"`{enable_cmdlet(user.email)}` and `smtp_auth: enabled`",
            object=obj,
            severity=Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="user-smtp-auth-inherits-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=(
        (Severity.ERROR, "declared to inherit a tenant that is off: 535 5.7.139"),
        (Severity.INFO, "one side not declared: checked by --online"),
    ),
)
