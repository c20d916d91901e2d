"""Token flows refuse, with a clear message and nothing stored: a state mismatch, a missing
PKCE verifier (or challenge), a redirect to a host that is not the loopback listener, a second
callback, and a timeout (loopback, pasted redirect, device code).

Complements ``tests/tokens/test_flows.py`` (forged state through the browser, loopback
timeout in the library), which these tests do not repeat.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.tokens import service
from mailoauth_cfg.tokens.flows import Interaction, LoopbackListener
from mailoauth_cfg.tokens.setup import resolve
from tests.tokens.conftest import ALICE, BOB, DAVE, Rig
from tests.tokens.test_canary import assert_no_secrets
from tests.tokens.test_flows import redirect_location


def get(url: str) -> tuple[int, str]:
    """GET a loopback URL: (status, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback only
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def with_params(url: str, **changes: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update(changes)
    return parts._replace(query=urllib.parse.urlencode(query)).geturl()


def nothing_stored(rig: Rig, user: str = ALICE) -> bool:
    return not (rig.store / f"{user}.json").exists()


def pasting(answer: Callable[[str], str]) -> tuple[Interaction, list[str]]:
    """An interaction without a browser that pastes ``answer(authorization URL)``."""
    urls: list[str] = []

    def notify(message: str) -> None:
        urls.extend(line for line in message.splitlines() if line.startswith("https://"))

    interaction = Interaction(
        notify=notify, read_redirect=lambda: answer(urls[-1]), timeout=20, open_browser=None
    )
    return interaction, urls


def bootstrap_cli(rig: Rig, user: str, *extra: str, hold_stdin: bool = False) -> Any:
    """``token bootstrap`` in a subprocess: (returncode, stdout, stderr, seconds).

    ``hold_stdin``: stdin is a pipe kept open and silent (nobody pastes anything), instead of
    an immediate end of input.
    """
    start = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mailoauth_cfg",
            "token",
            "bootstrap",
            *rig.token_args(user),
            *extra,
        ],
        stdin=subprocess.PIPE if hold_stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=rig.env,
        cwd=rig.root,
    )
    try:
        process.wait(timeout=60)
    finally:
        process.kill()
        stdout, stderr = process.communicate(timeout=10)
    rig.outputs.extend([stdout, stderr])
    assert "Traceback" not in stderr, stderr
    return process.returncode, stdout, stderr, time.monotonic() - start


# --- state mismatch ----------------------------------------------------------------------------


def test_pasted_redirect_with_another_state_is_refused(rig: Rig) -> None:
    ca = str(rig.certs.ca_file)
    interaction, _ = pasting(
        lambda url: with_params(redirect_location(url, ca), state="forged-state")
    )
    setup = resolve(rig.config, ALICE, environ=rig.env)
    with pytest.raises(TokenError, match="state does not match this sign-in"):
        service.bootstrap(setup, interaction)
    assert nothing_stored(rig)


def test_pasted_redirect_without_a_state_is_refused(rig: Rig) -> None:
    ca = str(rig.certs.ca_file)

    def strip_state(url: str) -> str:
        parts = urllib.parse.urlsplit(redirect_location(url, ca))
        query = {k: v for k, v in urllib.parse.parse_qsl(parts.query) if k != "state"}
        return parts._replace(query=urllib.parse.urlencode(query)).geturl()

    interaction, _ = pasting(strip_state)
    with pytest.raises(TokenError, match="state does not match"):
        service.bootstrap(resolve(rig.config, ALICE, environ=rig.env), interaction)
    assert nothing_stored(rig)


def test_google_redirect_with_another_state_is_refused(rig: Rig) -> None:
    ca = str(rig.certs.ca_file)

    def browser(url: str) -> bool:
        status, _ = get(with_params(redirect_location(url, ca), state="forged"))
        return status == 200

    interaction = Interaction(notify=lambda _m: None, open_browser=browser, timeout=20)
    with pytest.raises(TokenError, match="Google sign-in: the redirect's state does not match"):
        service.bootstrap(resolve(rig.config, DAVE, environ=rig.env), interaction)
    assert nothing_stored(rig, DAVE)


# --- PKCE ----------------------------------------------------------------------------------------


def _patch_msal_flow(monkeypatch: pytest.MonkeyPatch, change: Callable[[dict[str, Any]], None]):
    import msal

    original = msal.ClientApplication.initiate_auth_code_flow

    def patched(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        flow = dict(original(self, *args, **kwargs))
        change(flow)
        return flow

    monkeypatch.setattr(msal.ClientApplication, "initiate_auth_code_flow", patched)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda flow: flow.pop("code_verifier"), "no PKCE code verifier"),
        (
            lambda flow: flow.update(
                auth_uri=flow["auth_uri"].replace("code_challenge_method=S256", "x=y")
            ),
            "lacks a PKCE S256 challenge",
        ),
    ],
    ids=["verifier-missing", "challenge-missing"],
)
def test_a_sign_in_without_pkce_never_starts(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, change: Any, message: str
) -> None:
    _patch_msal_flow(monkeypatch, change)
    opened: list[str] = []
    interaction = Interaction(notify=lambda _m: None, open_browser=opened.append, timeout=5)
    with pytest.raises(TokenError, match=message):
        service.bootstrap(resolve(rig.config, ALICE, environ=rig.env), interaction)
    assert opened == [], "no browser was opened"
    assert rig.oauth.authorize_requests == []
    assert nothing_stored(rig)


def test_a_wrong_pkce_verifier_is_refused_by_the_server_and_explained(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verifier sent with the code does not match the challenge: invalid_grant, clearly."""
    _patch_msal_flow(monkeypatch, lambda flow: flow.update(code_verifier="x" * 43))
    ca = str(rig.certs.ca_file)
    interaction = Interaction(
        notify=lambda _m: None,
        open_browser=lambda url: get(redirect_location(url, ca))[0] == 200,
        timeout=20,
    )
    with pytest.raises(TokenError) as caught:
        service.bootstrap(resolve(rig.config, ALICE, environ=rig.env), interaction)
    text = str(caught.value)
    assert "redeeming the authorization code" in text
    assert "invalid_grant" in text
    assert "PKCE verification failed" in text
    assert nothing_stored(rig)


def test_google_sign_in_without_a_verifier_never_starts(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google_auth_oauthlib.flow import Flow

    original = Flow.from_client_config.__func__  # type: ignore[attr-defined]

    def no_pkce(cls: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["autogenerate_code_verifier"] = False
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Flow, "from_client_config", classmethod(no_pkce))
    opened: list[str] = []
    interaction = Interaction(notify=lambda _m: None, open_browser=opened.append, timeout=5)
    with pytest.raises(TokenError, match="PKCE"):
        service.bootstrap(resolve(rig.config, DAVE, environ=rig.env), interaction)
    assert opened == []
    assert nothing_stored(rig, DAVE)


# --- redirects that do not come back to the loopback listener -----------------------------------


@pytest.mark.parametrize(
    ("rewrite", "shown"),
    [
        (lambda loc: loc.replace("http://localhost:", "https://evil.example:"), "evil.example"),
        (lambda loc: loc.replace("http://localhost:", "http://localhost.evil.example:"), "evil"),
        (lambda loc: loc.replace("http://localhost:", "http://10.0.0.7:"), "10.0.0.7"),
        (lambda loc: loc.replace("http://localhost:", "https://localhost:"), "https://localhost"),
        (lambda loc: loc.replace("http://localhost:", "http://localhost:1"), "localhost:1"),
    ],
    ids=["other-host", "lookalike-host", "lan-address", "https", "other-port"],
)
def test_a_pasted_redirect_to_another_place_is_refused(
    rig: Rig, rewrite: Callable[[str], str], shown: str
) -> None:
    ca = str(rig.certs.ca_file)
    interaction, _ = pasting(lambda url: rewrite(redirect_location(url, ca)))
    with pytest.raises(TokenError, match="not to the loopback redirect of this sign-in") as caught:
        service.bootstrap(resolve(rig.config, ALICE, environ=rig.env), interaction)
    assert shown in str(caught.value)
    assert "Nothing was stored" in str(caught.value)
    assert nothing_stored(rig)


def test_an_authorization_request_redirecting_elsewhere_never_starts(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def elsewhere(flow: dict[str, Any]) -> None:
        flow["auth_uri"] = with_params(flow["auth_uri"], redirect_uri="https://evil.example/cb")

    _patch_msal_flow(monkeypatch, elsewhere)
    opened: list[str] = []
    interaction = Interaction(notify=lambda _m: None, open_browser=opened.append, timeout=5)
    with pytest.raises(
        TokenError, match=re.escape("redirects to 'https://evil.example/cb', not to the")
    ):
        service.bootstrap(resolve(rig.config, ALICE, environ=rig.env), interaction)
    assert opened == []
    assert nothing_stored(rig)


# --- a second callback ---------------------------------------------------------------------------


def test_the_listener_refuses_a_second_callback() -> None:
    with LoopbackListener() as listener:
        listener.start()
        base = f"http://127.0.0.1:{listener.port}/"
        first = get(base + "?code=first-code&state=s1")
        second = get(base + "?code=second-code&state=s2")
        error_after = get(base + "?error=access_denied&state=s3")
        assert listener.wait(5) == {"code": "first-code", "state": "s1"}
    assert first[0] == 200
    assert "You can close this tab" in first[1]
    assert second[0] == 409
    assert "second one was refused" in second[1]
    assert error_after[0] == 409
    assert "second-code" not in second[1]


def test_a_replayed_callback_is_refused_and_the_sign_in_completes_once(rig: Rig) -> None:
    ca = str(rig.certs.ca_file)
    answers: list[int] = []

    def browser(url: str) -> bool:
        location = redirect_location(url, ca)
        answers.append(get(location)[0])
        answers.append(get(location)[0])  # the same redirect again (a reload, a replay)
        return True

    interaction = Interaction(notify=lambda _m: None, open_browser=browser, timeout=20)
    record = service.bootstrap(resolve(rig.config, ALICE, environ=rig.env), interaction)
    assert answers == [200, 409]
    assert record.refresh_token
    assert not nothing_stored(rig)
    assert [r["grant_type"] for r in rig.oauth.token_requests] == ["authorization_code"]


def test_after_the_sign_in_the_listener_is_gone(rig: Rig) -> None:
    ca = str(rig.certs.ca_file)
    seen: list[str] = []

    def browser(url: str) -> bool:
        seen.append(redirect_location(url, ca))
        return get(seen[-1])[0] == 200

    interaction = Interaction(notify=lambda _m: None, open_browser=browser, timeout=20)
    service.bootstrap(resolve(rig.config, ALICE, environ=rig.env), interaction)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(seen[0], timeout=5)  # noqa: S310 - loopback only


# --- timeouts ------------------------------------------------------------------------------------


def test_cli_loopback_timeout_is_a_clear_failure(rig: Rig) -> None:
    """The browser never comes back: exit 1 after --timeout, one message, nothing stored."""
    rig.env["BROWSER"] = "true %s"
    code, stdout, stderr, seconds = bootstrap_cli(rig, ALICE, "--timeout", "1")
    assert code == 1, stderr
    assert "no sign-in arrived on the loopback redirect within 1 s" in stderr
    assert stdout == ""
    assert seconds < 30
    assert nothing_stored(rig)
    assert_no_secrets(rig)


def test_cli_paste_timeout_is_a_clear_failure(rig: Rig) -> None:
    """--no-browser and nothing pasted (stdin open, silent): exit 1 after --timeout."""
    code, _, stderr, seconds = bootstrap_cli(
        rig, ALICE, "--no-browser", "--timeout", "1", hold_stdin=True
    )
    assert code == 1, stderr
    assert "no redirect address was pasted within 1 s" in stderr
    assert seconds < 30
    assert nothing_stored(rig)


def test_cli_paste_end_of_input_is_a_clear_failure(rig: Rig) -> None:
    code, _, stderr, _ = bootstrap_cli(rig, ALICE, "--no-browser", "--timeout", "5")
    assert code == 1, stderr
    assert "no redirect address was pasted (end of input)" in stderr
    assert nothing_stored(rig)


def test_cli_device_code_timeout_is_a_clear_failure(rig: Rig) -> None:
    """Nobody approves the device code: exit 1 after --timeout, nothing stored."""
    rig.sasl_dir.mkdir(parents=True)
    code, _, stderr, seconds = bootstrap_cli(rig, BOB, "--timeout", "1")
    assert code == 1, stderr
    assert "the code was not approved within 1 s" in stderr
    assert seconds < 30
    assert not (rig.sasl_dir / BOB).exists()
