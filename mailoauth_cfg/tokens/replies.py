"""What a mail server's refusal of an OAuth login means, how to fix it, and which rules check
its cause offline.

First the catalogue (:func:`mailoauth_cfg.catalog.errors.explain_code`: ``535 5.7.139`` →
SMTP AUTH disabled for the mailbox, ``535 5.7.3``, Exchange's ``AUTHENTICATE failed``...), then
the standard meaning of the enhanced status code (RFC 3463/4954) or of the IMAP response code
(RFC 5530). Pure data and lookups: the probe (:mod:`~mailoauth_cfg.tokens.probe`) talks to the
servers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Protocol = Literal["smtp", "imap"]


@dataclass(frozen=True)
class ReplyExplanation:
    """What a refusal means, how to fix it, and the rules that check it offline."""

    code: str
    title: str
    cause: str
    fix: str
    rules: tuple[str, ...] = ()
    source: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view."""
        return {
            "code": self.code,
            "title": self.title,
            "cause": self.cause,
            "fix": self.fix,
            "rules": list(self.rules),
            "source": self.source,
        }


_TOKEN_REJECTED = (
    "The server rejected the token: expired or revoked, issued for another audience or scope, "
    "badly signed, or user= is not the account the token was issued to.",
    "Run `mailoauth-cfg token refresh --user <mailbox>` and probe again; if it persists, run "
    "`mailoauth-cfg token bootstrap` again signing in as the mailbox, and check the app's scopes.",
    ("ms-permission-missing",),
)

_SMTP_GENERIC: dict[str, ReplyExplanation] = {
    "5.7.8": ReplyExplanation(
        "535 5.7.8", "Authentication credentials invalid", *_TOKEN_REJECTED, source="RFC 4954 §6"
    ),
    "5.7.10": ReplyExplanation(
        "523 5.7.10",
        "Authentication without TLS refused",
        "AUTH was sent on a connection without TLS and the server refuses plaintext "
        "authentication.",
        "Use STARTTLS on the submission port (587) or implicit TLS (465).",
        (),
        "RFC 3463",
    ),
    "5.7.11": ReplyExplanation(
        "538 5.7.11",
        "Encryption required for this mechanism",
        "The mechanism is only accepted over TLS.",
        "Use STARTTLS (587) or implicit TLS (465).",
        (),
        "RFC 4954 §6",
    ),
    "4.7.0": ReplyExplanation(
        "454 4.7.0",
        "Temporary authentication failure",
        "The server could not check the token right now (its identity provider or token "
        "validation is unreachable), or a server-side error occurred.",
        "Retry later; if it persists, the mail provider has an incident (check its status page).",
        (),
        "RFC 4954 §6",
    ),
    "5.7.0": ReplyExplanation(
        "530 5.7.0",
        "Authentication required or refused by policy",
        "The server wants authentication (or STARTTLS first), or a policy refuses this client.",
        "Use STARTTLS and AUTH XOAUTH2 with the mailbox's token.",
        (),
        "RFC 4954 §6",
    ),
    "5.5.4": ReplyExplanation(
        "504 5.5.4",
        "Authentication mechanism not supported",
        "The server does not accept this SASL mechanism (Exchange Online accepts XOAUTH2 only).",
        "Use --mechanism xoauth2 (and `auth xoauth2` in msmtp).",
        (),
        "RFC 4954 §6",
    ),
}
_SMTP_BY_BASIC: dict[str, str] = {
    "535": "5.7.8",
    "523": "5.7.10",
    "538": "5.7.11",
    "454": "4.7.0",
    "530": "5.7.0",
    "504": "5.5.4",
}

_IMAP_GENERIC: dict[str, ReplyExplanation] = {
    "AUTHENTICATIONFAILED": ReplyExplanation(
        "NO [AUTHENTICATIONFAILED]",
        "Authentication failed",
        *_TOKEN_REJECTED,
        source="RFC 5530",
    ),
    "AUTHORIZATIONFAILED": ReplyExplanation(
        "NO [AUTHORIZATIONFAILED]",
        "Not authorized for this mailbox",
        "The token is valid but does not allow access to the mailbox named in user= "
        "(another mailbox, or no delegation / FullAccess on a shared mailbox).",
        "Use the mailbox the token belongs to, or grant access (Add-MailboxPermission).",
        ("ms-mailbox-permission-missing",),
        "RFC 5530",
    ),
    "EXPIRED": ReplyExplanation(
        "NO [EXPIRED]",
        "Credentials expired",
        "The token (or the account's authorization) has expired.",
        "Run `mailoauth-cfg token refresh`; if it persists, bootstrap again.",
        (),
        "RFC 5530",
    ),
    "PRIVACYREQUIRED": ReplyExplanation(
        "NO [PRIVACYREQUIRED]",
        "Authentication without TLS refused",
        "AUTHENTICATE was sent without TLS and the server refuses plaintext authentication.",
        "Use implicit TLS (993) or STARTTLS (143).",
        (),
        "RFC 5530",
    ),
    "UNAVAILABLE": ReplyExplanation(
        "NO [UNAVAILABLE]",
        "Temporary authentication failure",
        "The server could not check the token right now.",
        "Retry later; if it persists, the mail provider has an incident.",
        (),
        "RFC 5530",
    ),
    "CONTACTADMIN": ReplyExplanation(
        "NO [CONTACTADMIN]",
        "Refused by an administrator's setting",
        "The account is blocked for IMAP by policy.",
        "Enable IMAP for the mailbox (Set-CASMailbox -ImapEnabled $true) or ask the admin.",
        (),
        "RFC 5530",
    ),
}

_LOCAL: dict[str, ReplyExplanation] = {
    "tls-untrusted": ReplyExplanation(
        "tls-untrusted",
        "Server certificate not trusted",
        "TLS verification failed: the server's certificate is not signed by a trusted CA, or "
        "does not name the host (a TLS-inspecting proxy or a test server).",
        "Pass --ca-bundle PEM, or set ca_bundle on the provider; never disable verification.",
    ),
    "connect": ReplyExplanation(
        "connect",
        "Server unreachable",
        "The TCP connection failed (wrong host or port, firewall, no route).",
        "Check the host and port (derived from the provider's cloud or its endpoints: "
        "override) and outbound firewall rules for 587/993.",
    ),
    "no-starttls": ReplyExplanation(
        "no-starttls",
        "No STARTTLS offered",
        "The server does not offer STARTTLS on this port, so authenticating would send the "
        "token in clear text; the probe stops.",
        "Use the provider's submission port 587 (STARTTLS) or 465 (implicit TLS).",
        (),
    ),
    "mechanism-not-offered": ReplyExplanation(
        "mechanism-not-offered",
        "Mechanism not offered",
        "After TLS the server does not advertise this SASL mechanism (SMTP AUTH disabled for "
        "the organisation, or OAUTHBEARER on Exchange Online, which speaks XOAUTH2 only).",
        "Use --mechanism xoauth2; for Exchange check Get-TransportConfig "
        "SmtpClientAuthenticationDisabled.",
        ("user-smtp-auth-disabled", "user-smtp-auth-inherits-disabled"),
    ),
    "protocol": ReplyExplanation(
        "protocol",
        "Unexpected server answer",
        "The server answered outside the protocol (not an SMTP/IMAP server, or a proxy).",
        "Check the host and port.",
    ),
}

_ENHANCED = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_BASIC = re.compile(r"^\s*([2-5]\d\d)\b")
_IMAP_CODE = re.compile(r"\[([A-Z-]+)")


def referenced_rules() -> tuple[str, ...]:
    """Rule IDs named by the probe's own (non-catalogue) explanations."""
    tables = (_SMTP_GENERIC, _IMAP_GENERIC, _LOCAL)
    return tuple(sorted({r for t in tables for e in t.values() for r in e.rules}))


def explain_reply(
    protocol: Protocol, reply: str, provider_type: str | None = None
) -> ReplyExplanation | None:
    """Map a server reply to an explanation.

    The catalogue comes first, with the mailbox's provider's meaning of a code both use, and
    never an entry specific to the other provider (a test server or a proxy answering ``535
    5.7.8`` for a Microsoft mailbox gets the generic meaning, not Gmail's); then the standard
    meaning of the reply code.
    """
    from mailoauth_cfg.catalog.errors import explain_code

    found = explain_code(reply, provider_type)
    if found is not None:
        return ReplyExplanation(
            code=found.code,
            title=found.title,
            cause=found.cause,
            fix=found.fix,
            rules=found.rules,
            source=found.source,
        )
    if protocol == "smtp":
        enhanced = _ENHANCED.search(reply)
        if enhanced is not None and enhanced.group(1) in _SMTP_GENERIC:
            return _SMTP_GENERIC[enhanced.group(1)]
        basic = _BASIC.match(reply)
        if basic is not None and basic.group(1) in _SMTP_BY_BASIC:
            return _SMTP_GENERIC[_SMTP_BY_BASIC[basic.group(1)]]
        return None
    code = _IMAP_CODE.search(reply)
    if code is not None and code.group(1) in _IMAP_GENERIC:
        return _IMAP_GENERIC[code.group(1)]
    if re.search(r"\bNO\b", reply) and "authent" in reply.lower():
        return _IMAP_GENERIC["AUTHENTICATIONFAILED"]
    return None


def explain_local(failure: str) -> ReplyExplanation | None:
    """The explanation of a failure before any server reply (TLS, connection, mechanism)."""
    return _LOCAL.get(failure)
