"""Redaction covers every encoding a secret travels in: raw, JSON-escaped, base64 (standard and
URL-safe, at any offset, so inside XOAUTH2/OAUTHBEARER strings), URL/form-encoded (``%2B`` or
``+``, ``%7E`` or ``~``, upper- or lower-case hex), and in what servers send back."""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from mailoauth_cfg import redaction
from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.tokens.endpoint import post_form
from mailoauth_cfg.tokens.probe import oauthbearer, probe_imap, probe_smtp, xoauth2
from tests.emulators.scripted import ScriptedImap, ScriptedSmtp
from tests.tokens.conftest import ALICE, Certs

#: Canaries with characters that URL-encoding and base64 change.
SECRET = "Qx8~CANARY+client/s3cr=t%41 b'"
TOKEN = "eyJ0eXAi.CANARY-access~token+/=.sig_x-y"


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    redaction.clear()
    redaction.register(SECRET, TOKEN)
    yield
    redaction.clear()


def encodings(value: str) -> dict[str, str]:
    raw = value.encode()
    return {
        "raw": value,
        "json": json.dumps(value)[1:-1],
        "base64": base64.b64encode(raw).decode(),
        "base64-unpadded": base64.b64encode(raw).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "url": urllib.parse.quote(value),
        "url-all": urllib.parse.quote(value, safe=""),
        "url-lower": re.sub(
            r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), urllib.parse.quote(value, safe="")
        ),
        "form": urllib.parse.quote_plus(value),
        "form-tilde": urllib.parse.quote_plus(value).replace("~", "%7E"),
        "form-lower-tilde": urllib.parse.quote_plus(value).replace("~", "%7e"),
    }


def sasl_forms(user: str, token: str) -> dict[str, str]:
    out = {}
    for name, sasl in (
        ("xoauth2", xoauth2(user, token)),
        ("oauthbearer", oauthbearer(user, token, "smtp.example.test", 587)),
    ):
        for prefix in ("", "u", "us"):  # every base64 alignment of the token inside
            raw = (prefix + sasl).encode()
            out[f"{name}+{len(prefix)}"] = base64.b64encode(raw).decode()
            out[f"{name}+{len(prefix)}-url"] = base64.urlsafe_b64encode(raw).decode()
    return out


def leaked(text: str) -> list[str]:
    found = []
    for secret in (SECRET, TOKEN):
        found += [name for name, form in encodings(secret).items() if form in text]
    # the token's bytes, decodable from any base64 run left in the text
    for run in text.replace("-", "+").replace("_", "/").split():
        for cut in range(4):
            chunk = run[cut:]
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            try:
                decoded = base64.b64decode(chunk, validate=True)
            except ValueError:
                continue
            if b"CANARY" in decoded:
                found.append(f"base64 of {decoded[:40]!r}")
    return found


@pytest.mark.parametrize("secret", [SECRET, TOKEN])
@pytest.mark.parametrize(
    "form",
    [
        "raw",
        "json",
        "base64",
        "base64-unpadded",
        "base64url",
        "url",
        "url-all",
        "url-lower",
        "form",
        "form-tilde",
        "form-lower-tilde",
    ],
)
def test_each_encoding_of_a_registered_secret_is_redacted(secret: str, form: str) -> None:
    text = f"the server said: [{encodings(secret)[form]}] (status 400)"
    redacted = redaction.redact(text)
    assert leaked(redacted) == [], redacted
    assert redacted.startswith("the server said: [")
    assert redacted.endswith("] (status 400)")
    assert redaction.REPLACEMENT in redacted


@pytest.mark.parametrize("form", sorted(sasl_forms(ALICE, TOKEN)))
def test_a_token_inside_a_sasl_string_is_redacted(form: str) -> None:
    text = f"535 5.7.8 Error: authentication failed: {sasl_forms(ALICE, TOKEN)[form]}"
    redacted = redaction.redact(text)
    assert leaked(redacted) == [], redacted


def test_ordinary_text_is_left_alone() -> None:
    text = "535 5.7.139 Authentication unsuccessful; user=alice@example.test; see aka.ms/smtp_auth"
    assert redaction.redact(text) == text


# --- the probe: a server reply quoting the SASL string ----------------------------------------


@pytest.fixture(scope="module")
def scripted(certs: Certs) -> Iterator[tuple[ScriptedSmtp, ScriptedImap]]:
    smtp = ScriptedSmtp(certs.server_context).start()
    imap = ScriptedImap(certs.server_context).start()
    try:
        yield smtp, imap
    finally:
        smtp.stop()
        imap.stop()


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_probe_never_reports_the_sasl_string_a_server_quotes(
    scripted: tuple[ScriptedSmtp, ScriptedImap], certs: Certs, mechanism: Any
) -> None:
    smtp, imap = scripted
    echoed = sasl_forms(ALICE, TOKEN)
    smtp.reply = f"535 5.7.8 Bad credentials {echoed['xoauth2+0']} / {echoed['oauthbearer+0']}"
    imap.reply = f"NO [AUTHENTICATIONFAILED] {echoed['xoauth2+0-url']} {echoed['oauthbearer+2']}"
    ca = str(certs.ca_file)
    results = [
        probe_smtp("127.0.0.1", smtp.port, ALICE, TOKEN, mechanism=mechanism, ca_bundle=ca),
        probe_imap("127.0.0.1", imap.port, ALICE, TOKEN, mechanism=mechanism, ca_bundle=ca),
    ]
    for result in results:
        assert not result.ok
        assert result.stage == "auth"
        as_text = json.dumps(result.as_dict()) + repr(result) + str(result.challenge)
        assert leaked(as_text) == [], as_text
        if result.reply.startswith(("535", "NO")):  # the server got the mechanism and answered
            assert redaction.REPLACEMENT in result.reply


# --- a token endpoint echoing the form it received --------------------------------------------


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        answer = json.dumps(
            {"error": "invalid_client", "error_description": f"bad request body: {body}"}
        ).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


def test_a_form_encoded_secret_echoed_by_a_token_endpoint_is_redacted() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(TokenError) as caught:
            post_form(
                f"http://127.0.0.1:{server.server_address[1]}/token",
                {"grant_type": "client_credentials", "client_id": "x", "client_secret": SECRET},
                ca_bundle=None,
                what="requesting a token",
            )
    finally:
        server.shutdown()
        server.server_close()
    message = str(caught.value)
    assert "bad request body" in message
    assert leaked(message) == [], message


# --- an OAuth error explained for the mailbox's own provider ----------------------------------


class _Refuse(BaseHTTPRequestHandler):
    answer: ClassVar[dict[str, str]] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps(self.answer).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    "description",
    ["", "AADSTS99999: a code the catalogue does not know", "The refresh token is invalid."],
)
def test_a_microsoft_invalid_grant_gets_no_google_advice(description: str) -> None:
    _Refuse.answer = {"error": "invalid_grant", "error_description": description}
    server = HTTPServer(("127.0.0.1", 0), _Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(TokenError) as caught:
            post_form(
                f"http://127.0.0.1:{server.server_address[1]}/token",
                {"grant_type": "refresh_token", "refresh_token": "x" * 20, "client_id": "c"},
                ca_bundle=None,
                what="refreshing the token of alice@example.test",
                provider="microsoft",
            )
    finally:
        server.shutdown()
        server.server_close()
    message = str(caught.value)
    assert "meaning: Refresh token or authorization code rejected" in message
    assert "consent screen" not in message
    assert "google" not in message.lower()
    assert "AADSTS" in message, "the Microsoft meaning names the AADSTS codes"


def test_invalid_grant_is_explained_per_provider() -> None:
    from mailoauth_cfg.catalog.errors import explain_code

    microsoft = explain_code('{"error": "invalid_grant"}', "microsoft")
    google = explain_code("invalid_grant", "google")
    neutral = explain_code("invalid_grant")
    assert microsoft is not None
    assert google is not None
    assert neutral is not None
    assert microsoft.provider == "microsoft"
    assert "google" not in microsoft.fix.lower()
    assert google.rules == ("google-testing-refresh-token-expiry",)
    assert neutral.provider is None
    assert neutral.rules == ()
    assert explain_code("redirect_uri_mismatch", "microsoft") is None, "a Google-only meaning"
