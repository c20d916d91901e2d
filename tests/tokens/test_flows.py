"""Bootstrap flows against the OAuth emulator (real msal, real google-auth-oauthlib).

PKCE loopback driven through ``$BROWSER``, a pasted redirect (``--no-browser``), a forged
``state``, device code approved at the endpoint, client credentials, a confidential web app,
Google's loopback flow, and ``--store -``.
"""

from __future__ import annotations

import json
import re
import ssl
import stat
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.tokens import service
from mailoauth_cfg.tokens.flows import Interaction
from mailoauth_cfg.tokens.setup import resolve
from tests.emulators.browser import follow
from tests.tokens.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Rig
from tests.tokens.test_canary import assert_no_secrets


def redirect_location(url: str, ca_file: str) -> str:
    """The ``Location`` the authorization server answers, without following it."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    context = ssl.create_default_context(cafile=ca_file)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(url, timeout=10)
    assert caught.value.code == 302
    return str(caught.value.headers["Location"])


def test_loopback_pkce_bootstrap_through_the_browser(rig: Rig) -> None:
    """The CLI opens $BROWSER, which follows the redirect to the 127.0.0.1 listener."""
    result = rig.run("token", "bootstrap", *rig.token_args(ALICE), check=0)
    assert "stored the refresh token of alice@example.test" in result.stdout
    request = rig.oauth.authorize_requests[-1]
    assert request["code_challenge_method"] == "S256"
    assert len(request["code_challenge"]) >= 43
    assert request["login_hint"] == ALICE
    assert request["state"]
    assert request["redirect_uri"].startswith("http://localhost:")
    path = rig.store / f"{ALICE}.json"
    doc = json.loads(path.read_text())
    assert doc["refresh_token"].startswith("rt-")
    assert doc["flow"] == "loopback"
    assert "https://outlook.office.com/SMTP.Send" in doc["scopes"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert_no_secrets(rig)


def test_no_browser_pasted_redirect(rig: Rig) -> None:
    """--no-browser prints the URL; the redirect address pasted on stdin completes it."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mailoauth_cfg",
            "token",
            "bootstrap",
            "--no-browser",
            *rig.token_args(ALICE),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=rig.env,
        cwd=rig.root,
    )
    assert process.stderr is not None
    assert process.stdin is not None
    url = ""
    while not url:
        line = process.stderr.readline()
        assert line, "the CLI ended before printing the URL"
        if line.startswith("https://"):
            url = line.strip()
    pasted = redirect_location(url, str(rig.certs.ca_file))
    assert pasted.startswith("http://localhost:")
    stdout, stderr = process.communicate(pasted + "\n", timeout=60)
    rig.outputs.extend([stdout, stderr])
    assert process.returncode == 0, stderr
    assert json.loads((rig.store / f"{ALICE}.json").read_text())["refresh_token"]
    assert_no_secrets(rig)


def test_forged_state_is_refused(rig: Rig) -> None:
    """A redirect whose state differs from the request's is refused; nothing is stored."""
    setup = resolve(rig.config, ALICE, environ=rig.env)
    ca = str(rig.certs.ca_file)

    def tampering_browser(url: str) -> bool:
        location = redirect_location(url, ca)
        parts = urllib.parse.urlsplit(location)
        query = dict(urllib.parse.parse_qsl(parts.query))
        query["state"] = "forged-" + query["state"]
        forged = parts._replace(query=urllib.parse.urlencode(query)).geturl()
        with urllib.request.urlopen(forged, timeout=10) as answer:  # noqa: S310 - loopback
            answer.read()
        return True

    interaction = Interaction(notify=lambda _m: None, open_browser=tampering_browser, timeout=20)
    with pytest.raises(TokenError, match="state does not match"):
        service.bootstrap(setup, interaction)
    assert not (rig.store / f"{ALICE}.json").exists()


def test_loopback_times_out(rig: Rig) -> None:
    """No redirect within the timeout: a clear error."""
    setup = resolve(rig.config, ALICE, environ=rig.env)
    interaction = Interaction(notify=lambda _m: None, open_browser=lambda _u: True, timeout=0.3)
    with pytest.raises(TokenError, match="no sign-in arrived"):
        service.bootstrap(setup, interaction)


def test_device_code_into_a_sasl_xoauth2_token_file(rig: Rig) -> None:
    """The Postfix target defaults to device code; the test approves the code at the endpoint.

    The token lands in sasl-xoauth2's format at the target's token path, keeping the keys
    that were already in the file.
    """
    token_file = rig.sasl_dir / BOB
    rig.sasl_dir.mkdir(parents=True)
    token_file.write_text(json.dumps({"refresh_token": "", "user": BOB, "refresh_window": "600"}))
    process = subprocess.Popen(
        [sys.executable, "-m", "mailoauth_cfg", "token", "bootstrap", *rig.token_args(BOB)],
        umask=0,  # the file must still be 0600
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=rig.env,
        cwd=rig.root,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"enter the code ([0-9A-F]+)", line)
    assert match, line
    rig.oauth.approve(match.group(1), BOB)
    stdout, stderr = process.communicate(timeout=60)
    rig.outputs.extend([line, stdout, stderr])
    assert process.returncode == 0, stderr
    assert "sasl-xoauth2 format" in stdout
    doc = json.loads(token_file.read_text())
    assert doc["refresh_token"].startswith("rt-")
    assert doc["access_token"].count(".") == 2
    assert isinstance(doc["expiry"], str)
    assert int(doc["expiry"]) > 0
    assert doc["user"] == BOB
    assert doc["refresh_window"] == "600"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert_no_secrets(rig)


def test_client_credentials_needs_no_bootstrap(rig: Rig) -> None:
    """An app-only app gets its token with its secret; `token access` works at once."""
    result = rig.run("token", "access", *rig.token_args(ERIN), check=0)
    token = result.stdout.strip()
    claims = json.loads(_b64(token.split(".")[1]))
    assert claims["scope"] == "https://outlook.office365.com/.default"
    grant = [r for r in rig.oauth.token_requests if r["grant_type"] == "client_credentials"]
    assert grant
    assert_no_secrets(rig, allowed_stdout=[result.stdout])


def test_client_credentials_with_a_wrong_secret_fails_cleanly(rig: Rig) -> None:
    """invalid_client with AADSTS7000215 is explained; exit 1; the secret is not shown."""
    rig.env["DAEMON_SECRET"] = "wrong-secret-value-123"
    result = rig.run("token", "bootstrap", *rig.token_args(ERIN), check=1)
    assert "invalid_client" in result.stderr
    assert "AADSTS7000215" in result.stderr
    assert "wrong-secret-value-123" not in result.stderr + result.stdout


def test_confidential_web_app_sends_its_secret(rig: Rig) -> None:
    """A web-platform app with a secret: msal authenticates the client; refresh does too."""
    setup = resolve(rig.config, CAROL, environ=rig.env)
    ca = str(rig.certs.ca_file)
    interaction = Interaction(
        notify=lambda _m: None, open_browser=lambda url: follow(url, ca) == 200, timeout=20
    )
    record = service.bootstrap(setup, interaction)
    assert record.refresh_token
    renewed, rotated = service.refresh(setup)
    assert rotated
    assert renewed.refresh_token != record.refresh_token


def test_google_loopback_with_google_auth_oauthlib(rig: Rig) -> None:
    """Google: PKCE S256, access_type=offline, prompt=consent, login_hint, 127.0.0.1."""
    rig.run("token", "bootstrap", *rig.token_args(DAVE), check=0)
    request = rig.oauth.authorize_requests[-1]
    assert request["code_challenge_method"] == "S256"
    assert request["access_type"] == "offline"
    assert request["prompt"] == "consent"
    assert request["login_hint"] == DAVE
    assert request["redirect_uri"].startswith("http://127.0.0.1:")
    doc = json.loads((rig.store / f"{DAVE}.json").read_text())
    assert doc["scopes"] == ["https://mail.google.com/"]
    assert_no_secrets(rig)


def test_store_dash_prints_json_for_a_vault(rig: Rig) -> None:
    """--store - writes nothing and prints the token document on stdout."""
    result = rig.run("token", "bootstrap", *rig.token_args(ALICE, "--store", "-"), check=0)
    doc = json.loads(result.stdout)
    assert doc["kind"] == "mailoauth-cfg-token"
    assert doc["refresh_token"].startswith("rt-")
    assert not rig.store.exists()
    assert_no_secrets(rig, allowed_stdout=[result.stdout])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody@example.test"], "is not declared"),
        (["--user", ALICE, "--flow", "magic"], "--flow must be one of"),
        (["--user", ALICE, "--target", "relay"], "does not list"),
        (["--user", DAVE, "--flow", "device-code"], "Google mailboxes use the loopback flow"),
    ],
)
def test_usage_errors_exit_2(rig: Rig, args: list[str], message: str) -> None:
    """Usage errors: one line on stderr, exit 2, no traceback."""
    result = rig.run("token", "bootstrap", "--config", str(rig.config), *args, check=2)
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_config_exits_2(rig: Rig) -> None:
    """A config that does not exist is a usage error."""
    result = rig.run("token", "access", "--config", "nope.yaml", "--user", ALICE, check=2)
    assert "nope.yaml" in result.stderr


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
