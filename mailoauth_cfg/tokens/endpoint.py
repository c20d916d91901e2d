"""The token endpoint: one form POST for the refresh grant, and error replies made readable.

Decision: refreshes are a plain ``grant_type=refresh_token`` POST (RFC 6749 §6) with the
standard library rather than msal's ``acquire_token_by_refresh_token``:

* ``token access`` runs for every message msmtp sends; a POST costs one round trip, whereas
  msal first fetches the tenant's OpenID configuration, and importing msal costs ~0.13 s more;
* the same code refreshes Microsoft and Google tokens from ``derive.endpoints().token_url``
  (the URL sasl-xoauth2 uses too), so an ``endpoints:`` override redirects it without
  special cases;
* the TLS trust is an explicit :class:`ssl.SSLContext` (``ca_bundle``), immune to the
  ``REQUESTS_CA_BUNDLE`` environment override that requests applies on top of a session's
  ``verify``;
* msal documents ``acquire_token_by_refresh_token`` for migrating tokens only.

A rotated refresh token in the answer replaces the stored one (see :mod:`.service`). Apps that
authenticate with a certificate still refresh through msal, which builds the client assertion.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.tokens import redaction

DEFAULT_TIMEOUT = 30.0
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TokenResponse:
    """A successful token answer. ``repr`` never shows a token."""

    access_token: str
    expires_in: float
    refresh_token: str | None
    scopes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"TokenResponse(expires_in={self.expires_in}, scopes={self.scopes})"


class OAuthError(TokenError):
    """The authorization server answered with an OAuth error (``invalid_grant``...)."""

    def __init__(self, message: str, *, error: str, description: str) -> None:
        super().__init__(message)
        self.error = error
        self.description = description


def ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """A verifying client context trusting ``ca_bundle`` (else the system store).

    Raises:
        TokenError: the CA bundle cannot be read.
    """
    try:
        return (
            ssl.create_default_context(cafile=ca_bundle)
            if ca_bundle
            else (ssl.create_default_context())
        )
    except (OSError, ssl.SSLError) as exc:
        raise TokenError(f"cannot load the CA bundle {ca_bundle}: {exc}") from None


def check_url(url: str) -> None:
    """Refuse to send credentials over plain HTTP except to a loopback test server.

    Raises:
        TokenError: the URL is not https (nor http on loopback).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return
    raise TokenError(f"refusing to send credentials to {url}: the token endpoint must be https")


def parse_token_answer(doc: dict[str, Any], what: str) -> TokenResponse:
    """Read ``access_token``/``expires_in``/``refresh_token``/``scope`` from an answer.

    Raises:
        TokenError: no access token in the answer.
    """
    access = doc.get("access_token")
    if not isinstance(access, str) or not access:
        raise TokenError(f"{what}: the answer holds no access token")
    refresh = doc.get("refresh_token")
    refresh = refresh if isinstance(refresh, str) and refresh else None
    redaction.register(access, refresh)
    try:
        expires_in = float(doc.get("expires_in", 3600))
    except (TypeError, ValueError):
        expires_in = 3600.0
    scope = doc.get("scope")
    if isinstance(scope, list):
        scopes = tuple(str(s) for s in scope)
    elif isinstance(scope, str):
        scopes = tuple(scope.split())
    else:
        scopes = ()
    return TokenResponse(access, expires_in, refresh, scopes)


def oauth_error(
    what: str, doc: dict[str, Any], status: int | None = None, *, provider: str | None = None
) -> OAuthError:
    """An :class:`OAuthError` from an error answer, with the catalogue's explanation (the
    ``provider``'s own, for a code both providers use)."""
    from mailoauth_cfg.catalog.errors import explain_code

    error = redaction.redact(str(doc.get("error") or (f"HTTP {status}" if status else "error")))
    description = str(doc.get("error_description") or "").strip()
    first_line = redaction.redact(description.splitlines()[0]) if description else ""
    message = f"{what}: {error}" + (f": {first_line}" if first_line else "")
    explanation = explain_code(description, provider) if description else None
    if explanation is None:
        explanation = explain_code(error, provider)
    if explanation is not None:
        message += f"\n  meaning: {explanation.title}\n  fix: {explanation.fix}"
        if explanation.rules:
            message += f"\n  rules: {', '.join(explanation.rules)}"
    return OAuthError(message, error=error, description=first_line)


def post_form(
    url: str,
    form: dict[str, str],
    *,
    ca_bundle: str | None,
    what: str,
    timeout: float = DEFAULT_TIMEOUT,
    provider: str | None = None,
) -> TokenResponse:
    """POST ``form`` to the token endpoint ``url`` and return the token answer.

    Raises:
        OAuthError: the server answered with an OAuth error.
        TokenError: the server cannot be reached or answered something else.
    """
    check_url(url)
    body = urllib.parse.urlencode(form).encode("ascii")
    request = urllib.request.Request(  # noqa: S310 - scheme checked by check_url
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    context = ssl_context(ca_bundle) if url.startswith("https:") else None
    handler = urllib.request.HTTPSHandler(context=context) if context is not None else None
    opener = urllib.request.build_opener(*(h for h in (handler,) if h is not None))
    try:
        with opener.open(request, timeout=timeout) as answer:
            raw = answer.read()
    except urllib.error.HTTPError as exc:
        try:
            doc = json.loads(exc.read() or b"{}")
        except ValueError:
            doc = {}
        if not isinstance(doc, dict):
            doc = {}
        raise oauth_error(what, doc, exc.code, provider=provider) from None
    except urllib.error.URLError as exc:
        raise TokenError(f"{what}: cannot reach {url}: {_reason(exc.reason)}") from None
    except (OSError, TimeoutError) as exc:
        raise TokenError(f"{what}: cannot reach {url}: {_reason(exc)}") from None
    try:
        doc = json.loads(raw)
    except ValueError:
        raise TokenError(f"{what}: {url} did not answer JSON") from None
    if not isinstance(doc, dict):
        raise TokenError(f"{what}: {url} did not answer a JSON object")
    return parse_token_answer(doc, what)


def _reason(reason: object) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (
            f"TLS certificate not trusted ({reason.verify_message}); pass --ca-bundle or set "
            "the provider's ca_bundle"
        )
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
