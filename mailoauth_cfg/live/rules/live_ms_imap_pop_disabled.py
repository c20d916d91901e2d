"""IMAP or POP is disabled for a mailbox a target reads.

**What.** For every mailbox whose targets (or ``protocols:``) use ``imap`` or ``pop``,
``Get-CASMailbox`` must show ``ImapEnabled`` / ``PopEnabled`` ``True``.

**Why.** With the protocol off for the mailbox, the XOAUTH2 login succeeds as far as the token
goes but Exchange refuses the session (``AUTHENTICATE failed`` / ``-ERR Logon failure``).

**Fix.** ``Set-CASMailbox -Identity <mailbox> -ImapEnabled $true`` (``-PopEnabled $true``).

Source: MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/
Set-CASMailbox.md (ImapEnabled, PopEnabled).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.microsoft.needs import user_protocols
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, unknown
from mailoauth_cfg.live.rules._user_common import exchange_connect, primary_address
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

SWITCHES = {"imap": ("ImapEnabled", "imap_enabled"), "pop": ("PopEnabled", "pop_enabled")}


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the read protocols of each mailbox that needs them."""
    for index, user, tenant in microsoft_users(ctx):
        protocols = sorted(user_protocols(ctx.config, user.email) & set(SWITCHES))
        if not protocols:
            continue
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        mailbox = primary_address(ctx, tenant, user.email)
        cas = tenant.cas_mailbox(user.email)
        if isinstance(cas, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"{'/'.join(p.upper() for p in protocols)} of {user.email}",
                cas.reason,
                path,
                object=obj,
            )
            continue
        if cas is None:
            continue
        for protocol in protocols:
            switch, attr = SWITCHES[protocol]
            value = getattr(cas, attr)
            if value is None:
                yield unknown(
                    ctx,
                    RULE,
                    f"{protocol.upper()} of {user.email}",
                    f"Get-CASMailbox did not return {switch}",
                    path,
                    object=obj,
                )
            elif value is False:
                yield finding(
                    ctx,
                    RULE,
                    f"{protocol.upper()} is disabled for {user.email} ({switch} $false), but a "
                    f"target reads it over {protocol.upper()}: the login is refused",
                    path,
                    fix=f"{exchange_connect(tenant)}; Set-CASMailbox -Identity {mailbox} "
                    f"-{switch} $true",
                    object=obj,
                )


RULE = Rule.define(
    __doc__,
    id="live-ms-imap-pop-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("cas_mailboxes", "mailboxes", "users"),
    impacts=((Severity.ERROR, "the protocol is off for the mailbox: login refused"),),
)
