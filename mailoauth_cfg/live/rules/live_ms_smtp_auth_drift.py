"""The tenant's SMTP AUTH settings differ from the declared ``smtp_auth`` values.

**What.** A written ``users[].smtp_auth`` (``inherit`` = ``$null``, ``enabled`` = ``$false``,
``disabled`` = ``$true`` for ``Get-CASMailbox`` ``SmtpClientAuthenticationDisabled``) or
``providers.<name>.smtp_auth`` (``Get-TransportConfig``) that the tenant does not hold.

**Why.** The config is the record of the intended state: a drift means someone changed the
tenant (or the config is stale), and the offline checks reason from the declared values.

**Fix.** Set the tenant back (the cmdlet in the fix), or update the config.

Source: MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/
Set-TransportConfig.md and Set-CASMailbox.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.rules._base import (
    MICROSOFT,
    finding,
    microsoft_providers,
    microsoft_users,
    unknown,
)
from mailoauth_cfg.live.rules._user_common import exchange_connect, primary_address
from mailoauth_cfg.live.rules.live_ms_smtp_auth_disabled import ps
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

MAILBOX_VALUES = {"inherit": None, "enabled": False, "disabled": True}
NAMES = {None: "inherit", False: "enabled", True: "disabled"}


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare written SMTP AUTH values with the tenant's."""
    for name, provider, tenant in microsoft_providers(ctx):
        if provider.smtp_auth is None:
            continue
        path = ("providers", name, "smtp_auth")
        obj = ObjectRef.provider(name)
        org = tenant.transport()
        if isinstance(org, Unknown):
            yield unknown(ctx, RULE, "the organisation's SMTP AUTH", org.reason, path, object=obj)
            continue
        wanted = provider.smtp_auth == "disabled"
        if org.smtp_client_authentication_disabled is not None and (
            org.smtp_client_authentication_disabled != wanted
        ):
            actual = "disabled" if org.smtp_client_authentication_disabled else "enabled"
            yield finding(
                ctx,
                RULE,
                f"provider {name} declares smtp_auth: {provider.smtp_auth} but the organisation "
                f"has SMTP AUTH {actual} (Get-TransportConfig SmtpClientAuthenticationDisabled "
                f"{ps(org.smtp_client_authentication_disabled)})",
                path,
                fix=f"{exchange_connect(tenant)}; Set-TransportConfig "
                f"-SmtpClientAuthenticationDisabled {ps(wanted)} (or set smtp_auth: {actual})",
                object=obj,
            )
    for index, user, tenant in microsoft_users(ctx):
        user_path: PathKey = ("users", index, "smtp_auth")
        if user_path not in ctx.marks.values:
            continue
        obj = ObjectRef.user(user.email)
        mailbox = primary_address(ctx, tenant, user.email)
        cas = tenant.cas_mailbox(user.email)
        if isinstance(cas, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the SMTP AUTH setting of {user.email}",
                cas.reason,
                user_path,
                object=obj,
            )
            continue
        if cas is None:
            continue
        wanted_value = MAILBOX_VALUES[user.smtp_auth or "inherit"]
        actual_value = cas.smtp_client_authentication_disabled
        if actual_value == wanted_value:
            continue
        yield finding(
            ctx,
            RULE,
            f"{user.email} declares smtp_auth: {user.smtp_auth} but the mailbox has "
            f"SmtpClientAuthenticationDisabled {ps(actual_value)} ({NAMES[actual_value]})",
            user_path,
            fix=f"{exchange_connect(tenant)}; Set-CASMailbox -Identity {mailbox} "
            f"-SmtpClientAuthenticationDisabled {ps(wanted_value)} (or set smtp_auth: "
            f"{NAMES[actual_value]})",
            object=obj,
        )


RULE = Rule.define(
    __doc__,
    id="live-ms-smtp-auth-drift",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("cas_mailboxes", "mailboxes", "transport_config", "users"),
    impacts=(
        (Severity.WARNING, "the tenant differs from the declaration: it may change under you"),
    ),
)
