"""`probe` against a real Dovecot on 127.0.0.2 (TLS required) and scripted provider replies."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator

import pytest

from mailoauth_cfg.catalog.errors import explain_code
from mailoauth_cfg.tokens.probe import explain_reply, probe_imap, probe_smtp, referenced_rules
from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord
from tests.emulators.mailserver import LISTEN, Dovecot
from tests.emulators.scripted import ScriptedImap, ScriptedSmtp
from tests.tokens.conftest import ALICE, BOB, PUBLIC_CLIENT, SCOPES, Certs, Rig
from tests.tokens.test_canary import assert_no_secrets


def store_token(rig: Rig, access: str, *, user: str = ALICE) -> None:
    """Store ``access`` as the mailbox's current token (valid for an hour as far as we know)."""
    TokenLocation(rig.store / f"{user}.json").save(
        TokenRecord(
            user=user,
            refresh_token=rig.oauth.add_refresh_token(user, PUBLIC_CLIENT, SCOPES),
            access_token=access,
            expires_at=time.time() + 3600,
        )
    )


def test_probe_smtp_and_imap_succeed_over_tls(live_rig: Rig, dovecot: Dovecot) -> None:
    """XOAUTH2 logins accepted by Dovecot over STARTTLS and IMAPS; nothing is sent."""
    store_token(live_rig, live_rig.oauth.mint(ALICE))
    result = live_rig.run(
        "probe", *live_rig.token_args(ALICE, "--protocol", "smtp", "--protocol", "imap"), check=0
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"smtp {LISTEN}:{dovecot.submission_port} TLSv1.")
    assert "XOAUTH2 as alice@example.test: OK (235 2.7.0 Logged in.)" in lines[0]
    assert lines[1].startswith(f"imap {LISTEN}:{dovecot.imaps_port} TLSv1.")
    assert ": OK (OK" in lines[1]
    log = dovecot.log_text()
    assert "submission-login: Info: Login: user=<alice@example.test>, method=XOAUTH2" in log
    assert "imap-login: Info: Login: user=<alice@example.test>, method=XOAUTH2" in log
    assert_no_secrets(live_rig, extra=[log])


def test_probe_oauthbearer(live_rig: Rig, dovecot: Dovecot) -> None:
    """OAUTHBEARER (RFC 7628) on both protocols."""
    token = live_rig.oauth.mint(BOB)
    ca = str(live_rig.certs.ca_file)
    smtp = probe_smtp(
        LISTEN, dovecot.submission_port, BOB, token, mechanism="OAUTHBEARER", ca_bundle=ca
    )
    imap = probe_imap(LISTEN, dovecot.imaps_port, BOB, token, mechanism="OAUTHBEARER", ca_bundle=ca)
    assert smtp.ok, smtp
    assert imap.ok, imap
    assert smtp.tls
    assert imap.tls


def test_rejected_token_is_explained(live_rig: Rig, dovecot: Dovecot) -> None:
    """An expired JWT: 535 5.7.8 and NO [AUTHENTICATIONFAILED], each explained; exit 1."""
    store_token(live_rig, live_rig.oauth.mint(ALICE, ttl=-60))
    result = live_rig.run("probe", *live_rig.token_args(ALICE, "-p", "smtp", "-p", "imap"), check=1)
    out = result.stdout
    assert "FAILED at auth: 535 5.7.8 Authentication failed." in out
    assert "FAILED at auth: NO [AUTHENTICATIONFAILED] Authentication failed." in out
    assert out.count("meaning: Authentication credentials invalid") == 1
    assert out.count("meaning: Authentication failed") == 1
    assert "rules: ms-permission-missing" in out
    assert 'server said: {"schemes": "bearer", "scope": "mail", "status": "401"}' in out
    assert "Token has expired" in dovecot.log_text()
    assert_no_secrets(live_rig, extra=[dovecot.log_text()])


def test_untrusted_certificate_stops_before_auth(live_rig: Rig, dovecot: Dovecot) -> None:
    """Another CA: the TLS handshake fails and no token is sent."""
    import trustme

    other = live_rig.root / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    result = probe_smtp(LISTEN, dovecot.submission_port, ALICE, "x.y.z", ca_bundle=str(other))
    assert not result.ok
    assert result.stage == "tls"
    assert result.explanation is not None
    assert result.explanation.code == "tls-untrusted"


def test_dovecot_refuses_auth_without_tls(dovecot: Dovecot) -> None:
    """Pitfall 6.1: on 127.0.0.2 AUTH without TLS is refused (so the probe's TLS is real).

    The refusal (523 5.7.10) is one of the replies the probe explains.
    """
    with smtplib.SMTP(LISTEN, dovecot.submission_port, timeout=10) as client:
        client.ehlo()
        assert client.esmtp_features.get("auth", "").strip() == ""  # no mechanism offered
        assert client.has_extn("starttls")
        code, message = client.docmd("AUTH", "XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHgBAQ==")
    reply = f"{code} {message.decode()}"
    assert reply == "523 5.7.10 Plaintext authentication disabled."
    found = explain_reply("smtp", reply, "microsoft")
    assert found is not None
    assert found.title == "Authentication without TLS refused"


@pytest.fixture(scope="module")
def scripted(certs: Certs) -> Iterator[tuple[ScriptedSmtp, ScriptedImap]]:
    """Scripted SMTP (STARTTLS) and IMAPS servers on 127.0.0.1."""
    smtp = ScriptedSmtp(certs.server_context).start()
    imap = ScriptedImap(certs.server_context).start()
    yield smtp, imap
    smtp.stop()
    imap.stop()


CATALOG = "catalog"


@pytest.mark.parametrize(
    ("reply", "provider", "title"),
    [
        (
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for "
            "the Mailbox.",
            "microsoft",
            CATALOG,
        ),
        ("535 5.7.3 Authentication unsuccessful", "microsoft", CATALOG),
        (
            "550 5.7.30 Basic authentication is not supported for Client Submission.",
            "microsoft",
            CATALOG,
        ),
        ("535 5.7.8 Username and Password not accepted.", "google", CATALOG),
        (
            "535 5.7.8 Authentication credentials invalid",
            "microsoft",
            "Authentication credentials invalid",
        ),
        (
            "454 4.7.0 Temporary authentication failure",
            "microsoft",
            "Temporary authentication failure",
        ),
    ],
)
def test_smtp_failure_replies_are_mapped(
    scripted: tuple[ScriptedSmtp, ScriptedImap],
    certs: Certs,
    reply: str,
    provider: str,
    title: str,
) -> None:
    """Each SMTP refusal maps to the catalogue's explanation (same provider) or the RFC's.

    A Microsoft mailbox answered ``535 5.7.8`` (Dovecot, a proxy) gets the generic meaning,
    not Gmail's catalogue entry.
    """
    smtp, _ = scripted
    smtp.reply = reply
    result = probe_smtp(
        "127.0.0.1",
        smtp.port,
        ALICE,
        "aaa.bbb.ccc",
        ca_bundle=str(certs.ca_file),
        provider_type=provider,
    )
    assert not result.ok
    assert result.stage == "auth"
    assert result.tls
    assert result.reply == reply
    assert result.explanation is not None
    expected = explain_code(reply)
    if title == CATALOG:
        assert expected is not None
        assert expected.provider in (None, provider)
        assert result.explanation.title == expected.title
        assert result.explanation.rules == expected.rules
    else:
        assert result.explanation.title == title


@pytest.mark.parametrize(
    ("reply", "title"),
    [
        ("NO AUTHENTICATE failed.", CATALOG),
        ("NO [AUTHORIZATIONFAILED] Not authorized", "Not authorized for this mailbox"),
        ("NO [UNAVAILABLE] Temporary authentication failure.", "Temporary authentication failure"),
    ],
)
def test_imap_failure_replies_are_mapped(
    scripted: tuple[ScriptedSmtp, ScriptedImap],
    certs: Certs,
    reply: str,
    title: str,
) -> None:
    """Each IMAP refusal maps to an explanation (Exchange's wording through the catalogue)."""
    _, imap = scripted
    imap.reply = reply
    result = probe_imap(
        "127.0.0.1",
        imap.port,
        ALICE,
        "aaa.bbb.ccc",
        ca_bundle=str(certs.ca_file),
        provider_type="microsoft",
    )
    assert not result.ok
    assert result.stage == "auth"
    assert result.reply == reply
    assert result.explanation is not None
    if title == CATALOG:
        expected = explain_code(reply)
        assert expected is not None
        assert result.explanation.title == expected.title
        assert result.explanation.rules == expected.rules
    else:
        assert result.explanation.title == title


def test_probe_cli_explains_smtp_auth_disabled(
    rig: Rig, scripted: tuple[ScriptedSmtp, ScriptedImap]
) -> None:
    """The CLI prints the explanation of 535 5.7.139 and exits 1."""
    smtp, _imap = scripted
    smtp.reply = "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria"
    config = rig.config.read_text().replace(f"{LISTEN}:1\n", f"127.0.0.1:{smtp.port}\n", 1)
    rig.config.write_text(config)
    store_token(rig, rig.oauth.mint(ALICE))
    result = rig.run("probe", *rig.token_args(ALICE), check=1)
    assert "FAILED at auth: 535 5.7.139" in result.stdout
    expected = explain_code("535 5.7.139")
    assert expected is not None
    assert f"meaning: {expected.title}" in result.stdout
    assert f"fix: {expected.fix}" in result.stdout
    if expected.rules:
        assert f"rules: {', '.join(expected.rules)}" in result.stdout
    assert_no_secrets(rig)


def test_explain_reply_without_a_server() -> None:
    """IMAP's plaintext refusal maps too; a success reply maps to nothing."""
    found = explain_reply("imap", "NO [PRIVACYREQUIRED] Plaintext authentication disabled.")
    assert found is not None
    assert found.title == "Authentication without TLS refused"
    assert explain_reply("smtp", "250 OK") is None


def test_probe_explanations_name_registered_rules() -> None:
    """Every rule ID the probe's own explanations name is a rule of the catalogue."""
    from mailoauth_cfg.rules import rule_infos

    known = set(rule_infos())
    assert set(referenced_rules()) <= known
