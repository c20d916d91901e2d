"""A mailbox's declared protocols exclude one that a target uses for it.

**What.** ``users[].protocols`` is declared (the protocols the mailbox allows) and a target
that lists the mailbox uses a protocol missing from it: ``smtp`` to send, ``imap``/``pop``
to read (Dolibarr collector, WaveSoft, Nextcloud Mail, email-oauth2-proxy, Odoo fetchmail).

**Why.** The declaration says the protocol is off for the mailbox (and live checks compare it
with Exchange's ``ImapEnabled``/``PopEnabled``/``SmtpClientAuthenticationDisabled`` or Gmail's
IMAP/POP settings), so the target fails there: Exchange answers IMAP/POP logins of a mailbox
with the protocol disabled with ``AUTHENTICATE failed`` even with a valid token, and SMTP with
``535 5.7.139``. Either the declaration or the target is wrong. (This also covers the case of
a target reading a Microsoft mailbox over IMAP/POP when the declaration omits it.)

**Fix.** If the target is right: add the protocol to ``protocols`` and enable it (Exchange:
``Set-CASMailbox -Identity <mailbox> -ImapEnabled $true`` / ``-PopEnabled $true`` /
``-SmtpClientAuthenticationDisabled $false``; Gmail: Settings › Forwarding and POP/IMAP, and
for Workspace Admin console › Apps › Google Workspace › Gmail › End User Access › POP and
IMAP access). Otherwise remove the protocol from the target's ``protocols``.

Source: MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/
Set-CASMailbox.md (``ImapEnabled``, ``PopEnabled``, ``SmtpClientAuthenticationDisabled``);
mailoauth-cfg's effective-protocol resolution (a design decision); model documentation of
``users[].protocols``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules._text import ps_arg
from mailoauth_cfg.rules.users._common import (
    PROTOCOL_NAMES,
    plans_of_user,
    provider_type,
    targets_phrase,
)

_EXCHANGE_SWITCH = {
    "smtp": "-SmtpClientAuthenticationDisabled $false",
    "imap": "-ImapEnabled $true",
    "pop": "-PopEnabled $true",
}
_GMAIL = (
    "Gmail › Settings › See all settings › Forwarding and POP/IMAP (Workspace: Admin console › "
    "Apps › Google Workspace › Gmail › End User Access › POP and IMAP access)"
)


def enable_fix(kind: str | None, email: str, protocol: str) -> str:
    """How to allow ``protocol`` for the mailbox on its provider."""
    if kind == "microsoft":
        return f"`Set-CASMailbox -Identity {ps_arg(email)} {_EXCHANGE_SWITCH[protocol]}`"
    if kind == "google" and protocol != "smtp":
        return _GMAIL
    return f"allow {PROTOCOL_NAMES[protocol]} for {email}"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each mailbox's declared protocols with what its targets use."""
    for index, user in enumerate(ctx.config.users):
        if user.protocols is None:
            continue
        allowed = set(user.protocols)
        missing: dict[str, list[str]] = {}
        for plan, _ in plans_of_user(ctx, user.email):
            for protocol in plan.protocols:
                if protocol not in allowed:
                    missing.setdefault(protocol, []).append(plan.name)
        kind = provider_type(ctx, user)
        for protocol in ("smtp", "imap", "pop"):
            targets = missing.get(protocol)
            if not targets:
                continue
            name = PROTOCOL_NAMES[protocol]
            declared = ", ".join(user.protocols) or "none"
            yield ctx.finding(
                RULE,
                f"{name} is used for {user.email} by {targets_phrase(targets)}, but its protocols "
                f"({declared}) exclude {protocol}: the mailbox refuses {name} even with a valid "
                "token",
                ("users", index, "protocols"),
                fix=f"add `{protocol}` to protocols and enable it "
                f"({enable_fix(kind, user.email, protocol)}), or remove {protocol} from the "
                f"protocols of {targets_phrase(targets)}",
                object=ObjectRef.user(user.email),
                at_key=True,
            )


RULE = Rule.define(
    __doc__,
    id="user-protocol-not-allowed",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=((Severity.ERROR, "the mailbox refuses a protocol the target uses"),),
)
