"""SMTP AUTH is effectively disabled for a mailbox that sends mail.

**What.** For every mailbox whose targets (or ``protocols:``) use ``smtp``: the effective SMTP
AUTH switch is the mailbox's ``SmtpClientAuthenticationDisabled`` (``Get-CASMailbox``) when set,
else the organisation's (``Get-TransportConfig``): ``enabled = not (mailbox if mailbox is not
None else org)``. The message gives the decision path.

**Why.** The switch gates SMTP AUTH as a protocol, XOAUTH2 included: submission fails with
``535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the
Mailbox`` (or ``for the Tenant``). Tenants created after January 2020 have it off by default.

**Fix.** ``Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false`` (per
mailbox: preferred), or ``Set-TransportConfig -SmtpClientAuthenticationDisabled $false``
(organisation-wide).

Source: MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/
Set-CASMailbox.md ("$null … controlled by … Set-TransportConfig");
https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission
(the per-mailbox setting overrides the tenant-wide one).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.microsoft.needs import user_protocols
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, unknown
from mailoauth_cfg.live.rules._user_common import exchange_connect, primary_address
from mailoauth_cfg.live.snapshot import MicrosoftTenant, Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def ps(value: bool | None) -> str:
    """PowerShell spelling of a tri-state."""
    return "$null" if value is None else ("$true" if value else "$false")


def effective(tenant: MicrosoftTenant, email: str) -> tuple[bool, str] | Unknown | None:
    """``(enabled, decision path)``, ``None`` without a mailbox, or Unknown."""
    cas = tenant.cas_mailbox(email)
    if isinstance(cas, Unknown):
        return Unknown(f"Get-CASMailbox {email}: {cas.reason}")
    if cas is None:
        return None
    value = cas.smtp_client_authentication_disabled
    step = f"mailbox SmtpClientAuthenticationDisabled is {ps(value)}"
    if value is not None:
        return (not value, f"{step}, which overrides the organisation")
    org = tenant.transport()
    if isinstance(org, Unknown):
        return Unknown(f"{step} (inherit), and Get-TransportConfig: {org.reason}")
    org_value = org.smtp_client_authentication_disabled
    if org_value is None:
        return Unknown(f"{step} (inherit), and the organisation's value was not returned")
    return (
        not org_value,
        f"{step} (inherit) → organisation Get-TransportConfig SmtpClientAuthenticationDisabled "
        f"is {ps(org_value)}",
    )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compute the effective SMTP AUTH switch of each sending mailbox."""
    for index, user, tenant in microsoft_users(ctx):
        if "smtp" not in user_protocols(ctx.config, user.email):
            continue
        path = ("users", index, "smtp_auth")
        obj = ObjectRef.user(user.email)
        mailbox = primary_address(ctx, tenant, user.email)
        result = effective(tenant, user.email)
        if isinstance(result, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the effective SMTP AUTH of {user.email}",
                result.reason,
                path,
                object=obj,
            )
            continue
        if result is None:
            continue
        enabled, why = result
        if enabled:
            continue
        yield finding(
            ctx,
            RULE,
            f"SMTP AUTH is disabled for {user.email}: {why} → disabled; XOAUTH2 submission "
            "fails with 535 5.7.139",
            path,
            fix=f"{exchange_connect(tenant)}; Set-CASMailbox -Identity {mailbox} "
            "-SmtpClientAuthenticationDisabled $false (or, organisation-wide, "
            "Set-TransportConfig -SmtpClientAuthenticationDisabled $false); then set "
            "smtp_auth: enabled",
            object=obj,
        )


RULE = Rule.define(
    __doc__,
    id="live-ms-smtp-auth-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("cas_mailboxes", "mailboxes", "transport_config", "users"),
    supersedes=("user-smtp-auth-inherits-disabled", "user-smtp-auth-disabled"),
    impacts=((Severity.ERROR, "SMTP AUTH is off for the sender: 535 5.7.139"),),
)
