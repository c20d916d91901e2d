"""Interactive and app-only token flows, with the providers' maintained libraries.

* Microsoft: msal. Authorization code with PKCE (S256) on a loopback redirect
  (``http://localhost:<port>``, which Entra accepts for any port), device code, and client
  credentials with a secret or a certificate.
* Google: google-auth-oauthlib (PKCE S256, ``access_type=offline``, ``prompt=consent``) on a
  ``http://127.0.0.1:<port>/`` redirect (Desktop clients accept any loopback port).

The loopback listener binds 127.0.0.1 only, answers one redirect, and gives up after a
timeout. ``state`` is compared here (constant time) before the code is redeemed, and the
authorization URL is checked to carry ``code_challenge_method=S256``. ``login_hint`` is the
account that signs in. Without a browser, the URL is shown and the address the browser was
redirected to is pasted back.

msal and google-auth-oauthlib are imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import hmac
import http.server
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mailoauth_cfg.errors import SecretError, TokenError
from mailoauth_cfg.tokens import redaction
from mailoauth_cfg.tokens.endpoint import (
    DEFAULT_TIMEOUT,
    TokenResponse,
    check_url,
    oauth_error,
    parse_token_answer,
)

if TYPE_CHECKING:
    import requests

    from mailoauth_cfg.tokens.setup import TokenSetup

DEFAULT_LOGIN_TIMEOUT = 300.0
_MSAL_RESERVED = frozenset({"openid", "profile", "offline_access"})
_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>mailoauth-cfg</title></head>"
    "<body><h1>{title}</h1><p>{text}</p></body></html>"
)


@dataclass(frozen=True)
class Interaction:
    """How a flow talks to the person signing in (the library itself never prints)."""

    notify: Callable[[str], None]
    """Show a message (the sign-in URL, the device code instructions)."""
    open_browser: Callable[[str], bool] | None = None
    """Open a URL in a browser; ``None`` means there is no browser (``--no-browser``)."""
    read_redirect: Callable[[], str] | None = None
    """Read the redirect URL pasted by the user (used when ``open_browser`` is ``None``)."""
    timeout: float = DEFAULT_LOGIN_TIMEOUT
    """Seconds to wait for the redirect or the device code approval."""
    port: int = 0
    """Loopback port (0: any free port)."""


class _Server(http.server.HTTPServer):
    result: dict[str, str] | None
    done: threading.Event


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    timeout = 10

    def do_GET(self) -> None:
        query = urllib.parse.urlsplit(self.path).query
        params = parse_query(query)
        if "code" not in params and "error" not in params:
            self.send_error(404)
            return
        if self.server.result is not None:  # one sign-in, one redirect: never a second one
            self._page(
                409,
                "Sign-in already received",
                "mailoauth-cfg already received the redirect of this sign-in; this second one "
                "was refused. If the sign-in failed, run the bootstrap again.",
            )
            return
        failed = "error" in params
        body = _PAGE.format(
            title="Sign-in failed" if failed else "Signed in",
            text=(
                "mailoauth-cfg received an error; see the terminal."
                if failed
                else "mailoauth-cfg received the authorization. You can close this tab."
            ),
        )
        self._send(200, body)
        self.server.result = params
        self.server.done.set()

    def _page(self, status: int, title: str, text: str) -> None:
        self._send(status, _PAGE.format(title=title, text=text))

    def _send(self, status: int, page: str) -> None:
        body = page.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Never log requests: their query string holds the authorization code."""


def parse_query(query: str) -> dict[str, str]:
    """A query string as a dict (last value wins)."""
    return {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}


def parse_redirect(text: str) -> dict[str, str]:
    """The parameters of a pasted redirect URL (or of a bare query string).

    Raises:
        TokenError: neither ``code`` nor ``error`` is in it.
    """
    text = text.strip()
    parts = urllib.parse.urlsplit(text)
    query = parts.query or (text.lstrip("?") if "=" in text and "://" not in text else "")
    params = parse_query(query)
    if not params and parts.fragment:
        params = parse_query(parts.fragment)
    if "code" not in params and "error" not in params:
        raise TokenError(
            "the pasted text is not the redirect address (it must contain code=... and state=...)"
        )
    return params


class LoopbackListener:
    """One-shot HTTP listener on 127.0.0.1 for the authorization redirect."""

    def __init__(self, port: int = 0) -> None:
        try:
            server = _Server(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise TokenError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
        server.result = None
        server.done = threading.Event()
        self._server = server
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in a background thread until the redirect arrives or :meth:`close`."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def wait(self, timeout: float) -> dict[str, str]:
        """The redirect's query parameters.

        Raises:
            TokenError: nothing arrived within ``timeout`` seconds.
        """
        if not self._server.done.wait(timeout):
            raise TokenError(
                f"no sign-in arrived on the loopback redirect within {timeout:.0f} s; "
                "run the bootstrap again (or use --no-browser and paste the redirect address)"
            )
        assert self._server.result is not None  # noqa: S101 - set before done
        return self._server.result

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    def __enter__(self) -> LoopbackListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _is_loopback(url: str, port: int) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        url_port = parts.port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and url_port == port


def _check_pkce_and_state(url: str, verifier: str | None, port: int) -> None:
    """Refuse to start a sign-in without PKCE, state and a loopback redirect (nothing is sent)."""
    params = parse_query(urllib.parse.urlsplit(url).query)
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        raise TokenError("internal error: the authorization request lacks a PKCE S256 challenge")
    if not verifier:
        raise TokenError("internal error: the sign-in has no PKCE code verifier")
    if not params.get("state"):
        raise TokenError("internal error: the authorization request lacks a state")
    redirect = params.get("redirect_uri", "")
    if not _is_loopback(redirect, port):
        raise TokenError(
            f"internal error: the authorization request redirects to {redirect!r}, not to the "
            f"loopback listener on port {port}"
        )


def _check_pasted(text: str, port: int) -> None:
    """A pasted redirect address must be the loopback one the sign-in was started with."""
    stripped = text.strip()
    if "://" not in stripped:
        return  # a bare query string (code=...&state=...): the state check decides
    if not _is_loopback(stripped, port):
        parts = urllib.parse.urlsplit(stripped)
        raise TokenError(
            f"the pasted address goes to {parts.scheme}://{parts.netloc}, not to the loopback "
            f"redirect of this sign-in (http://localhost:{port} or http://127.0.0.1:{port}); "
            "paste the address the browser was sent to after signing in. Nothing was stored."
        )


def _check_redirect(params: dict[str, str], state: str, what: str, provider: str) -> str:
    """The authorization code after checking ``state`` and looking for an error."""
    got = params.get("state", "")
    if not hmac.compare_digest(got.encode(), state.encode()):
        raise TokenError(
            f"{what}: the redirect's state does not match this sign-in (a stale or forged "
            "redirect); nothing was stored. Run the bootstrap again."
        )
    if "error" in params:
        raise oauth_error(f"{what}: sign-in refused", params, provider=provider)
    code = params.get("code", "")
    if not code:
        raise TokenError(f"{what}: the redirect carries no authorization code")
    redaction.register(code)
    return code


def _await_redirect(
    listener: LoopbackListener, interaction: Interaction, url: str
) -> dict[str, str]:
    if interaction.open_browser is not None:
        listener.start()
        interaction.notify(f"Opening a browser to sign in; if none opens, visit:\n{url}")
        interaction.open_browser(url)
        return listener.wait(interaction.timeout)
    if interaction.read_redirect is None:
        raise TokenError("no browser and no way to read the redirect address")
    interaction.notify(
        "Open this URL in a browser and sign in:\n"
        f"{url}\n"
        "The browser then fails to load a http://localhost or http://127.0.0.1 address: copy "
        "that whole address from the address bar and paste it here."
    )
    pasted = interaction.read_redirect()
    _check_pasted(pasted, listener.port)
    return parse_redirect(pasted)


# --- Microsoft (msal) ----------------------------------------------------------------------


def _session(ca_bundle: str | None, timeout: float) -> requests.Session:
    """A requests session whose TLS trust is ``ca_bundle`` whatever the environment says."""
    import requests

    class PinnedSession(requests.Session):
        """Pins ``verify`` per request: REQUESTS_CA_BUNDLE would override ``Session.verify``."""

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            if ca_bundle:
                kwargs["verify"] = ca_bundle
            kwargs.setdefault("timeout", timeout)
            return super().request(method, url, *args, **kwargs)

    return PinnedSession()


def msal_scopes(scopes: tuple[str, ...]) -> list[str]:
    """Scopes without the OIDC ones msal adds itself (it refuses them explicitly)."""
    return [s for s in scopes if s not in _MSAL_RESERVED]


def _authority(setup: TokenSetup) -> str:
    url = setup.endpoints.token_url
    suffix = "/oauth2/v2.0/token"
    return url[: -len(suffix)] if url.endswith(suffix) else url.rsplit("/", 1)[0]


def _msal_credential(setup: TokenSetup) -> str | dict[str, str]:
    secret = setup.client_secret()
    cert = setup.app.certificate
    if secret is None and cert is not None and cert.key is not None:
        key = setup.secret(cert.key, f"apps.{setup.app_name}.certificate.key")
        credential = {"private_key": key or "", "thumbprint": cert.thumbprint}
        if cert.certificate_file:
            try:
                credential["public_certificate"] = (setup.root / cert.certificate_file).read_text(
                    encoding="utf-8"
                )
            except OSError as exc:
                raise SecretError(
                    f"apps.{setup.app_name}.certificate.certificate_file: cannot read "
                    f"{cert.certificate_file}: {exc.strerror or exc}"
                ) from None
        return credential
    if secret is None:
        raise TokenError(
            f"app {setup.app_name!r} has neither a client secret nor a certificate key"
        )
    return secret


def confidential(setup: TokenSetup) -> bool:
    """Whether the Microsoft app authenticates itself (web platform with a credential)."""
    has_credential = setup.app.client_secret is not None or (
        setup.app.certificate is not None and setup.app.certificate.key is not None
    )
    return setup.app_only or (setup.app.platform == "web" and has_credential)


def msal_app(setup: TokenSetup, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """An msal client application for the setup's app, talking to its (overridable) authority.

    Instance discovery is off: the authority comes from ``derive.endpoints`` (cloud default or
    the provider's ``endpoints.login``), and msal reads its OpenID configuration from there.

    Raises:
        TokenError: the authority cannot be reached.
    """
    import msal

    authority = _authority(setup)
    check_url(authority)
    common: dict[str, Any] = {
        "authority": authority,
        "http_client": _session(setup.ca_bundle, timeout),
        "instance_discovery": False,
    }
    try:
        if confidential(setup):
            return msal.ConfidentialClientApplication(
                setup.app.client_id, client_credential=_msal_credential(setup), **common
            )
        return msal.PublicClientApplication(setup.app.client_id, **common)
    except (TokenError, SecretError):
        raise
    except Exception as exc:  # msal raises ValueError, requests errors...
        raise TokenError(f"cannot use the authority {authority}: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    text = redaction.redact(str(exc)).splitlines()
    first = text[0] if text else type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in first:
        return "TLS certificate not trusted; pass --ca-bundle or set the provider's ca_bundle"
    return first[:300]


def _msal_result(result: Any, what: str) -> TokenResponse:
    if not isinstance(result, dict):
        raise TokenError(f"{what}: no answer")
    if "access_token" not in result:
        raise oauth_error(what, result, provider="microsoft")
    return parse_token_answer(result, what)


def microsoft_loopback(setup: TokenSetup, interaction: Interaction) -> TokenResponse:
    """Authorization code + PKCE through a loopback redirect (msal)."""
    what = "Microsoft sign-in"
    app = msal_app(setup)
    with LoopbackListener(interaction.port) as listener:
        redirect_uri = f"http://localhost:{listener.port}"
        try:
            with warnings.catch_warnings():
                # msal recommends response_mode=form_post, which a pasted address cannot carry.
                warnings.simplefilter("ignore", UserWarning)
                flow = app.initiate_auth_code_flow(
                    scopes=msal_scopes(setup.scopes),
                    redirect_uri=redirect_uri,
                    login_hint=setup.login_hint,
                    prompt="select_account",
                )
        except Exception as exc:
            raise TokenError(f"{what}: {_describe(exc)}") from None
        url = str(flow["auth_uri"])
        _check_pkce_and_state(url, flow.get("code_verifier"), listener.port)
        params = _await_redirect(listener, interaction, url)
    _check_redirect(params, str(flow["state"]), what, "microsoft")
    try:
        result = app.acquire_token_by_auth_code_flow(flow, params)
    except Exception as exc:
        raise TokenError(f"{what}: {_describe(exc)}") from None
    return _msal_result(result, f"{what}: redeeming the authorization code")


def microsoft_device_code(setup: TokenSetup, interaction: Interaction) -> TokenResponse:
    """Device code flow (msal); the instructions go through ``interaction.notify``."""
    what = "Microsoft device code sign-in"
    if confidential(setup):
        raise TokenError(
            f"{what}: needs a public client; set platform: public on app {setup.app_name!r} "
            "(and 'Allow public client flows' = Yes in Entra)"
        )
    app = msal_app(setup)
    try:
        flow = app.initiate_device_flow(scopes=msal_scopes(setup.scopes))
    except Exception as exc:
        raise TokenError(f"{what}: {_describe(exc)}") from None
    if "user_code" not in flow:
        raise oauth_error(what, flow, provider="microsoft")
    interaction.notify(str(flow.get("message") or f"Enter {flow['user_code']} at the device page"))
    deadline = time.monotonic() + interaction.timeout
    try:
        result = app.acquire_token_by_device_flow(
            flow, exit_condition=lambda _flow: time.monotonic() > deadline
        )
    except Exception as exc:
        raise TokenError(f"{what}: {_describe(exc)}") from None
    if isinstance(result, dict) and result.get("error") in ("authorization_pending", "slow_down"):
        raise TokenError(
            f"{what}: the code was not approved within {interaction.timeout:.0f} s; run the "
            "bootstrap again"
        )
    return _msal_result(result, what)


def microsoft_client_credentials(setup: TokenSetup) -> TokenResponse:
    """Client credentials (app-only) with a secret or a certificate (msal)."""
    app = msal_app(setup)
    try:
        result = app.acquire_token_for_client(scopes=list(setup.scopes))
    except Exception as exc:
        raise TokenError(f"client credentials: {_describe(exc)}") from None
    return _msal_result(result, "client credentials")


def microsoft_refresh_with_certificate(setup: TokenSetup, refresh_token: str) -> TokenResponse:
    """Refresh for a confidential app that proves itself with a certificate (msal)."""
    app = msal_app(setup)
    try:
        result = app.acquire_token_by_refresh_token(refresh_token, msal_scopes(setup.scopes))
    except Exception as exc:
        raise TokenError(f"token refresh: {_describe(exc)}") from None
    return _msal_result(result, "token refresh")


# --- Google (google-auth-oauthlib) ----------------------------------------------------------


def google_loopback(setup: TokenSetup, interaction: Interaction) -> TokenResponse:
    """Authorization code + PKCE through a loopback redirect (google-auth-oauthlib)."""
    from google_auth_oauthlib.flow import Flow
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    what = "Google sign-in"
    ep = setup.endpoints
    check_url(ep.token_url)
    secret = setup.client_secret()
    with LoopbackListener(interaction.port) as listener:
        flow = Flow.from_client_config(
            {
                "installed": {
                    "client_id": setup.app.client_id,
                    "client_secret": secret or "",
                    "auth_uri": ep.authorize_url,
                    "token_uri": ep.token_url,
                }
            },
            scopes=list(setup.scopes),
            redirect_uri=f"http://127.0.0.1:{listener.port}/",
            autogenerate_code_verifier=True,
        )
        url, state = flow.authorization_url(
            access_type="offline", prompt="consent", login_hint=setup.login_hint
        )
        _check_pkce_and_state(str(url), flow.code_verifier, listener.port)
        params = _await_redirect(listener, interaction, str(url))
    code = _check_redirect(params, str(state), what, "google")
    try:
        token = flow.fetch_token(code=code, verify=setup.ca_bundle, timeout=DEFAULT_TIMEOUT)
    except OAuth2Error as exc:
        raise oauth_error(
            f"{what}: redeeming the authorization code",
            {"error": exc.error, "error_description": exc.description or ""},
            provider="google",
        ) from None
    except Exception as exc:
        raise TokenError(f"{what}: redeeming the authorization code: {_describe(exc)}") from None
    return parse_token_answer(dict(token), what)
