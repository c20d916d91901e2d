"""Log in to the provider's SMTP and IMAP servers with the token, then log out.

SMTP: ``EHLO``, ``STARTTLS`` (implicit TLS on port 465), ``EHLO``, ``AUTH XOAUTH2`` (or
``OAUTHBEARER``), ``QUIT``: no ``MAIL FROM``, nothing is sent. IMAP: implicit TLS (``STARTTLS`` on
port 143), ``AUTHENTICATE``, ``EXAMINE INBOX`` (read-only), ``LOGOUT``. Certificates are verified
(``ca_bundle`` of the provider or ``--ca-bundle``, else the system store); authentication is
never attempted without TLS.

A refusal is mapped to an explanation and rule IDs by :mod:`~mailoauth_cfg.tokens.replies`.
"""

from __future__ import annotations

import contextlib
import imaplib
import json
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Literal

from mailoauth_cfg.tokens import redaction
from mailoauth_cfg.tokens.endpoint import ssl_context
from mailoauth_cfg.tokens.replies import (
    ReplyExplanation,
    explain_local,
    explain_reply,
    referenced_rules,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "MECHANISMS",
    "PROTOCOLS",
    "ProbeResult",
    "ReplyExplanation",
    "explain_reply",
    "oauthbearer",
    "probe_imap",
    "probe_imap_local",
    "probe_smtp",
    "probe_smtp_local",
    "referenced_rules",
    "xoauth2",
]

Protocol = Literal["smtp", "imap"]
Mechanism = Literal["XOAUTH2", "OAUTHBEARER", "PLAIN", "LOGIN"]
PROTOCOLS: tuple[Protocol, ...] = ("smtp", "imap")
MECHANISMS: tuple[Mechanism, ...] = ("XOAUTH2", "OAUTHBEARER")
"""The SASL mechanisms of a login with a token (PLAIN and LOGIN serve local logins to a proxy)."""
DEFAULT_TIMEOUT = 20.0


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(user: str, token: str, host: str, port: int) -> str:
    """The SASL OAUTHBEARER (RFC 7628) initial response (before base64)."""
    return f"n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01"


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of one login attempt. Holds no token."""

    protocol: Protocol
    host: str
    port: int
    mechanism: Mechanism
    ok: bool
    stage: str
    """Where it ended: ``connect``, ``tls``, ``auth``, ``mailbox`` or ``done``."""
    reply: str
    """The server's last reply (or the local error)."""
    tls: str | None = None
    explanation: ReplyExplanation | None = None
    challenge: dict[str, object] | None = field(default=None)
    """The server's SASL error challenge (e.g. ``{"status": "401", ...}``), if any."""
    elapsed: float = 0.0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view."""
        return {
            "protocol": self.protocol,
            "host": self.host,
            "port": self.port,
            "mechanism": self.mechanism,
            "ok": self.ok,
            "stage": self.stage,
            "reply": self.reply,
            "tls": self.tls,
            "challenge": self.challenge,
            "explanation": None if self.explanation is None else self.explanation.as_dict(),
            "elapsed": round(self.elapsed, 3),
        }


class _Conversation:
    """SASL callbacks: the initial response, then an empty answer to an error challenge."""

    def __init__(self, initial: str, mechanism: Mechanism) -> None:
        self.initial = initial
        self.mechanism = mechanism
        self.sent = False
        self.challenge: dict[str, object] | None = None

    def _record(self, raw: bytes) -> None:
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = {"raw": raw.decode("utf-8", "replace")[:200]}
        # a server may quote what it got back (the SASL string, hence the token)
        clean = redaction.redact_value(doc if isinstance(doc, dict) else {"value": doc})
        self.challenge = clean if isinstance(clean, dict) else None

    def _abort(self) -> str:
        # XOAUTH2: an empty line; OAUTHBEARER: %x01 (RFC 7628 §3.2.3).
        return "" if self.mechanism == "XOAUTH2" else "\x01"

    def smtp(self, challenge: bytes | None = None) -> str:
        """smtplib's ``authobject``: called without argument first, then with a challenge."""
        if challenge is None or not self.sent:
            self.sent = True
            return self.initial
        self._record(challenge)
        return self._abort()

    def imap(self, challenge: bytes) -> bytes:
        """imaplib's ``authobject``: the first (empty) continuation gets the initial response."""
        if not self.sent:
            self.sent = True
            return self.initial.encode("utf-8")
        self._record(challenge)
        return self._abort().encode("ascii")


def _fail(
    protocol: Protocol,
    host: str,
    port: int,
    mechanism: Mechanism,
    stage: str,
    reply: str,
    provider_type: str | None,
    started: float,
    *,
    tls: str | None = None,
    local: str | None = None,
    challenge: dict[str, object] | None = None,
) -> ProbeResult:
    explanation = explain_local(local) if local else explain_reply(protocol, reply, provider_type)
    return ProbeResult(
        protocol,
        host,
        port,
        mechanism,
        ok=False,
        stage=stage,
        reply=redaction.redact(reply),
        tls=tls,
        explanation=explanation,
        challenge=challenge,
        elapsed=time.monotonic() - started,
    )


def _connect_error(exc: BaseException) -> tuple[str, str]:
    """(local explanation key, message) for a connection or TLS failure."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "tls-untrusted", f"TLS certificate verification failed: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return "tls-untrusted", f"TLS handshake failed: {exc.reason or exc}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "connect", "timed out"
    if isinstance(exc, OSError):
        return "connect", exc.strerror or str(exc)
    return "protocol", str(exc)


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def probe_smtp(
    host: str,
    port: int,
    user: str,
    token: str,
    *,
    mechanism: Mechanism = "XOAUTH2",
    ca_bundle: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    provider_type: str | None = None,
) -> ProbeResult:
    """Authenticate on SMTP submission and quit without sending."""
    redaction.register(token)
    started = time.monotonic()
    context = ssl_context(ca_bundle)
    args: tuple[Protocol, str, int, Mechanism] = ("smtp", host, port, mechanism)
    stage = "connect"
    client: smtplib.SMTP | None = None
    tls: str | None = None
    try:
        if port == 465:
            stage = "tls"
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
            client.ehlo()
            if not client.has_extn("starttls"):
                return _fail(
                    *args, "tls", "no STARTTLS in EHLO", provider_type, started, local="no-starttls"
                )
            stage = "tls"
            client.starttls(context=context)
        sock = client.sock
        tls = sock.version() if isinstance(sock, ssl.SSLSocket) else None
        stage = "auth"
        client.ehlo()
        offered = client.esmtp_features.get("auth", "").upper().split()
        if mechanism not in offered:
            return _fail(
                *args,
                "auth",
                f"AUTH offers {' '.join(offered) or 'nothing'}",
                provider_type,
                started,
                tls=tls,
                local="mechanism-not-offered",
            )
        initial = (
            xoauth2(user, token) if mechanism == "XOAUTH2" else oauthbearer(user, token, host, port)
        )
        conversation = _Conversation(initial, mechanism)
        try:
            code, message = client.auth(mechanism, conversation.smtp, initial_response_ok=True)
        except smtplib.SMTPAuthenticationError as exc:
            return _fail(
                *args,
                "auth",
                _smtp_reply(exc.smtp_code, exc.smtp_error),
                provider_type,
                started,
                tls=tls,
                challenge=conversation.challenge,
            )
        except smtplib.SMTPResponseException as exc:
            return _fail(
                *args,
                "auth",
                _smtp_reply(exc.smtp_code, exc.smtp_error),
                provider_type,
                started,
                tls=tls,
                challenge=conversation.challenge,
            )
        return ProbeResult(
            "smtp",
            host,
            port,
            mechanism,
            ok=True,
            stage="done",
            reply=redaction.redact(_smtp_reply(code, message)),
            tls=tls,
            elapsed=time.monotonic() - started,
        )
    except smtplib.SMTPResponseException as exc:
        return _fail(
            *args,
            stage,
            _smtp_reply(exc.smtp_code, exc.smtp_error),
            provider_type,
            started,
            tls=tls,
        )
    except (OSError, smtplib.SMTPException) as exc:
        local, detail = _connect_error(exc)
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            local, detail = "protocol", f"server disconnected: {exc}"
        return _fail(*args, stage, detail, provider_type, started, tls=tls, local=local)
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


_IMAP_ERROR = re.compile(r"command error: (\w+) \[b?['\"](.*)['\"]\]\s*$", re.S)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _imap_reply(exc: BaseException, *, tagged_no: bool = False) -> str:
    """The server's answer from an imaplib error.

    imaplib raises ``"<CMD> command error: BAD [b'...']"`` for BAD, and only the text of a
    tagged NO to AUTHENTICATE: ``tagged_no`` puts the ``NO`` back.
    """
    text = str(exc)
    match = _IMAP_ERROR.search(text)
    if match is not None:
        return f"{match.group(1)} {match.group(2)}"
    return f"NO {text}" if tagged_no else text


def probe_imap(
    host: str,
    port: int,
    user: str,
    token: str,
    *,
    mechanism: Mechanism = "XOAUTH2",
    ca_bundle: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    provider_type: str | None = None,
) -> ProbeResult:
    """Authenticate on IMAP, open INBOX read-only and log out."""
    redaction.register(token)
    started = time.monotonic()
    context = ssl_context(ca_bundle)
    args: tuple[Protocol, str, int, Mechanism] = ("imap", host, port, mechanism)
    stage = "connect"
    client: imaplib.IMAP4 | None = None
    tls: str | None = None
    try:
        if port == 143:
            client = imaplib.IMAP4(host, port, timeout=timeout)
            stage = "tls"
            client.starttls(ssl_context=context)
        else:
            stage = "tls"
            client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
        sock = client.sock
        tls = sock.version() if isinstance(sock, ssl.SSLSocket) else None
        stage = "auth"
        offered = [c.upper() for c in client.capabilities]
        if f"AUTH={mechanism}" not in offered:
            return _fail(
                *args,
                "auth",
                f"capabilities: {' '.join(offered)}",
                provider_type,
                started,
                tls=tls,
                local="mechanism-not-offered",
            )
        initial = (
            xoauth2(user, token) if mechanism == "XOAUTH2" else oauthbearer(user, token, host, port)
        )
        conversation = _Conversation(initial, mechanism)
        try:
            _typ, data = client.authenticate(mechanism, conversation.imap)
        except imaplib.IMAP4.error as exc:
            return _fail(
                *args,
                "auth",
                _imap_reply(exc, tagged_no=True),
                provider_type,
                started,
                tls=tls,
                challenge=conversation.challenge,
            )
        reply = "OK " + " ".join(_text(d) for d in data)
        stage = "mailbox"
        typ, answer = client.select("INBOX", readonly=True)
        if typ != "OK":
            detail = " ".join(_text(a) for a in answer)
            return _fail(
                *args, "mailbox", f"EXAMINE INBOX: {typ} {detail}", provider_type, started, tls=tls
            )
        return ProbeResult(
            "imap",
            host,
            port,
            mechanism,
            ok=True,
            stage="done",
            reply=redaction.redact(reply.strip()),
            tls=tls,
            elapsed=time.monotonic() - started,
        )
    except imaplib.IMAP4.error as exc:
        return _fail(
            *args, stage, _imap_reply(exc), provider_type, started, tls=tls, local="protocol"
        )
    except OSError as exc:
        local, message = _connect_error(exc)
        return _fail(*args, stage, message, provider_type, started, tls=tls, local=local)
    finally:
        if client is not None:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                with contextlib.suppress(OSError):
                    client.shutdown()


# --- logins to a local proxy that adds OAuth2 itself ------------------------------------------


def probe_smtp_local(
    host: str,
    port: int,
    user: str,
    password: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    provider_type: str | None = None,
) -> ProbeResult:
    """``AUTH PLAIN`` with a password on a local proxy's SMTP port (plain text, on the proxy's
    host), which logs in to the provider with XOAUTH2 and relays its answer; nothing is sent."""
    redaction.register(password)
    started = time.monotonic()
    args: tuple[Protocol, str, int, Mechanism] = ("smtp", host, port, "PLAIN")
    stage = "connect"
    client: smtplib.SMTP | None = None
    try:
        client = smtplib.SMTP(host, port, timeout=timeout)
        client.ehlo()
        stage = "auth"
        initial = f"\0{user}\0{password}"
        try:
            code, message = client.auth(
                "PLAIN", lambda challenge=None: initial, initial_response_ok=True
            )
        except smtplib.SMTPResponseException as exc:
            return _fail(
                *args, "auth", _smtp_reply(exc.smtp_code, exc.smtp_error), provider_type, started
            )
        return ProbeResult(
            "smtp",
            host,
            port,
            "PLAIN",
            ok=True,
            stage="done",
            reply=redaction.redact(_smtp_reply(code, message)),
            elapsed=time.monotonic() - started,
        )
    except smtplib.SMTPResponseException as exc:
        return _fail(
            *args, stage, _smtp_reply(exc.smtp_code, exc.smtp_error), provider_type, started
        )
    except (OSError, smtplib.SMTPException) as exc:
        local, detail = _connect_error(exc)
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            local, detail = "protocol", f"server disconnected: {exc}"
        return _fail(*args, stage, detail, provider_type, started, local=local)
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def probe_imap_local(
    host: str,
    port: int,
    user: str,
    password: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    provider_type: str | None = None,
) -> ProbeResult:
    """``LOGIN`` with a password on a local proxy's IMAP port, then ``EXAMINE INBOX`` and
    ``LOGOUT``: the proxy logs in to the provider with XOAUTH2."""
    redaction.register(password)
    started = time.monotonic()
    args: tuple[Protocol, str, int, Mechanism] = ("imap", host, port, "LOGIN")
    stage = "connect"
    client: imaplib.IMAP4 | None = None
    try:
        client = imaplib.IMAP4(host, port, timeout=timeout)
        stage = "auth"
        try:
            _typ, data = client.login(user, password)
        except imaplib.IMAP4.error as exc:
            return _fail(*args, "auth", _imap_reply(exc, tagged_no=True), provider_type, started)
        reply = "OK " + " ".join(_text(d) for d in data)
        stage = "mailbox"
        typ, answer = client.select("INBOX", readonly=True)
        if typ != "OK":
            detail = " ".join(_text(a) for a in answer)
            return _fail(*args, "mailbox", f"EXAMINE INBOX: {typ} {detail}", provider_type, started)
        return ProbeResult(
            "imap",
            host,
            port,
            "LOGIN",
            ok=True,
            stage="done",
            reply=redaction.redact(reply.strip()),
            elapsed=time.monotonic() - started,
        )
    except imaplib.IMAP4.error as exc:
        return _fail(*args, stage, _imap_reply(exc), provider_type, started, local="protocol")
    except OSError as exc:
        local, message = _connect_error(exc)
        return _fail(*args, stage, message, provider_type, started, local=local)
    finally:
        if client is not None:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                with contextlib.suppress(OSError):
                    client.shutdown()
