"""A local OAuth2 authorization server over HTTPS, shaped like Microsoft's identity platform.

Routes (``{t}`` is any tenant):

* ``GET /{t}/v2.0/.well-known/openid-configuration``: what msal reads (authority discovery).
* ``GET /{t}/oauth2/v2.0/authorize``: auto-approves as ``login_hint`` and redirects with
  ``code`` and ``state``. PKCE S256 and ``state`` are required, the redirect URI must be a
  loopback one.
* ``POST /{t}/oauth2/v2.0/devicecode``: device authorization; a test approves it with
  :meth:`OAuthEmulator.approve`.
* ``POST /{t}/oauth2/v2.0/token``: ``authorization_code`` (PKCE verified), ``refresh_token``
  (rotating: the old one dies), device code, ``client_credentials`` (secret or a JWT client
  assertion).
* Google-shaped aliases: ``GET /o/oauth2/v2/auth`` and ``POST /token``.

Access tokens are HS256 JWTs (``email`` = the mailbox, ``exp``) that Dovecot validates locally
with the same key. Errors carry Microsoft's AADSTS codes (revoked: 50173, expired: 700082) so
that the code under test maps them to explanations. Nothing is logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK_PREFIXES = ("http://localhost:", "http://127.0.0.1:")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hs256(key: bytes, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    """A compact HS256 JWT."""
    head = b64url(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    signature = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


@dataclass
class Client:
    """A registered client."""

    client_id: str
    secret: str | None = None
    """``None``: a public client (PKCE, no secret)."""
    certificate_thumbprint: str | None = None


@dataclass
class Grant:
    """A refresh token's grant."""

    email: str
    client_id: str
    scope: str
    expires_at: float
    active: bool = True


@dataclass
class DeviceRequest:
    """A pending device authorization."""

    client_id: str
    scope: str
    user_code: str
    email: str | None = None
    expires_at: float = 0.0


@dataclass
class OAuthEmulator:
    """The server state and the switches tests flip."""

    key: bytes
    tenant: str = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"
    access_ttl: int = 3600
    refresh_ttl: int = 90 * 86400
    rotate: bool = True
    clients: dict[str, Client] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    devices: dict[str, DeviceRequest] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    """Every token and code issued (for canary checks)."""
    base: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- switches --------------------------------------------------------------------------

    def add_client(
        self, client_id: str, secret: str | None = None, thumbprint: str | None = None
    ) -> None:
        """Register a client (public when ``secret`` and ``thumbprint`` are ``None``)."""
        self.clients[client_id] = Client(client_id, secret, thumbprint)

    def revoke(self, email: str) -> None:
        """Revoke every refresh token of ``email`` (as an admin's "revoke sessions")."""
        with self._lock:
            self.revoked.add(email.lower())

    def expire_refresh_tokens(self, email: str) -> None:
        """Make every refresh token of ``email`` expired."""
        with self._lock:
            for grant in self.grants.values():
                if grant.email == email.lower():
                    grant.expires_at = time.time() - 1

    def approve(self, user_code: str, email: str) -> None:
        """Approve a device code as ``email``."""
        with self._lock:
            for request in self.devices.values():
                if request.user_code == user_code:
                    request.email = email.lower()
                    return
        raise KeyError(user_code)

    def mint(self, email: str, *, ttl: int | None = None, scope: str = "mail") -> str:
        """An access token for ``email`` valid for ``ttl`` seconds (negative: expired)."""
        now = int(time.time())
        token = hs256(
            self.key,
            {
                "sub": email,
                "email": email,
                "aud": "https://outlook.office.com",
                "scope": scope,
                "iat": now - 5,
                "nbf": now - 5,
                "exp": now + (self.access_ttl if ttl is None else ttl),
            },
        )
        self.issued.append(token)
        return token

    def add_refresh_token(self, email: str, client_id: str, scope: str) -> str:
        """Seed a refresh token."""
        token = "rt-" + secrets.token_urlsafe(32)
        with self._lock:
            self.grants[token] = Grant(
                email.lower(), client_id, scope, time.time() + self.refresh_ttl
            )
        self.issued.append(token)
        return token

    # --- protocol ----------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        """The OIDC issuer."""
        return f"{self.base}/{self.tenant}/v2.0"

    def openid_configuration(self, tenant: str) -> dict[str, Any]:
        """The discovery document msal reads."""
        root = f"{self.base}/{tenant}"
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, json body) for an authorization request."""
        self.authorize_requests.append(dict(params))
        redirect = params.get("redirect_uri", "")
        if not redirect.startswith(LOOPBACK_PREFIXES):
            return 400, {}, {"error": "invalid_request", "error_description": "redirect_uri"}
        if params.get("client_id") not in self.clients:
            return 400, {}, {"error": "unauthorized_client"}

        def back(**values: str) -> tuple[int, dict[str, str], dict[str, Any]]:
            values["state"] = params.get("state", "")
            sep = "&" if "?" in redirect else "?"
            return 302, {"Location": redirect + sep + urllib.parse.urlencode(values)}, {}

        if params.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return back(error="invalid_request", error_description="PKCE S256 is required")
        if not params.get("state"):
            return back(error="invalid_request", error_description="state is required")
        email = params.get("login_hint", "").lower()
        if not email:
            return back(error="login_required")
        code = "code-" + secrets.token_urlsafe(24)
        self.codes[code] = {
            "client_id": params["client_id"],
            "redirect_uri": redirect,
            "challenge": params["code_challenge"],
            "scope": params.get("scope", ""),
            "email": email,
            "nonce": params.get("nonce", ""),
            "offline": "1" if params.get("access_type") == "offline" else "",
        }
        self.issued.append(code)
        return back(code=code)

    def devicecode(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """A device authorization answer."""
        if form.get("client_id") not in self.clients:
            return 400, {"error": "unauthorized_client"}
        device_code = "dc-" + secrets.token_urlsafe(24)
        user_code = secrets.token_hex(4).upper()
        self.devices[device_code] = DeviceRequest(
            form["client_id"], form.get("scope", ""), user_code, expires_at=time.time() + 900
        )
        uri = f"{self.base}/devicelogin"
        return 200, {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": uri,
            "expires_in": 900,
            "interval": 1,
            "message": f"To sign in, open {uri} and enter the code {user_code} to authenticate.",
        }

    def _client_ok(self, form: dict[str, str], basic: tuple[str, str] | None) -> str | None:
        """The authenticated client ID, or ``None``."""
        client_id = basic[0] if basic else form.get("client_id", "")
        client = self.clients.get(client_id)
        if client is None:
            return None
        if form.get("client_assertion_type") == ASSERTION_TYPE:
            if client.certificate_thumbprint is None:
                return None
            parts = form.get("client_assertion", "").split(".")
            if len(parts) != 3:
                return None
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            thumb = b64url_decode(header.get("x5t", "")).hex().upper()
            if thumb != client.certificate_thumbprint.upper() or claims.get("iss") != client_id:
                return None
            return client_id
        secret = basic[1] if basic else form.get("client_secret")
        if client.secret is None:
            return client_id
        if secret is None or not hmac.compare_digest(secret, client.secret):
            return None
        return client_id

    def _tokens(
        self, email: str, client_id: str, scope: str, nonce: str = "", offline: bool = False
    ) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": self.access_ttl,
            "ext_expires_in": self.access_ttl,
            "access_token": self.mint(email, scope=scope),
        }
        if offline or "offline_access" in scope.split():
            answer["refresh_token"] = self.add_refresh_token(email, client_id, scope)
        if "openid" in scope.split():
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": client_id,
                "sub": email,
                "oid": "00000000-0000-0000-0000-" + hashlib.sha256(email.encode()).hexdigest()[:12],
                "tid": self.tenant,
                "preferred_username": email,
                "iat": now - 5,
                "nbf": now - 5,
                "exp": now + 3600,
            }
            if nonce:
                claims["nonce"] = nonce
            answer["id_token"] = hs256(self.key, claims)
            answer["client_info"] = b64url(
                json.dumps({"uid": claims["oid"], "utid": self.tenant}).encode()
            )
        return answer

    def token(
        self, form: dict[str, str], basic: tuple[str, str] | None
    ) -> tuple[int, dict[str, Any]]:
        """A token endpoint answer."""
        self.token_requests.append(
            {k: v for k, v in form.items() if k in ("grant_type", "client_id", "scope")}
        )
        client_id = self._client_ok(form, basic)
        if client_id is None:
            return 401, {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            }
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            entry = self.codes.pop(form.get("code", ""), None)
            if entry is None or entry["client_id"] != client_id:
                return 400, {"error": "invalid_grant", "error_description": "AADSTS70008: bad code"}
            if entry["redirect_uri"] != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
            verifier = form.get("code_verifier", "")
            challenge = b64url(hashlib.sha256(verifier.encode()).digest())
            if not verifier or not hmac.compare_digest(challenge, entry["challenge"]):
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "PKCE verification failed",
                }
            return 200, self._tokens(
                entry["email"], client_id, entry["scope"], entry["nonce"], bool(entry["offline"])
            )
        if grant_type == "refresh_token":
            token = form.get("refresh_token", "")
            with self._lock:
                grant = self.grants.get(token)
                if grant is None or not grant.active or grant.client_id != client_id:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "AADSTS9002313: Invalid request. The refresh "
                        "token is malformed or not valid.",
                    }
                if grant.email in self.revoked:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "AADSTS50173: The provided grant has expired due "
                        "to it being revoked, a fresh auth token is needed.",
                    }
                if grant.expires_at < time.time():
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "AADSTS700082: The refresh token has expired due "
                        "to inactivity.",
                    }
                if self.rotate:
                    grant.active = False
            scope = form.get("scope") or grant.scope
            answer = self._tokens(grant.email, client_id, scope)
            if not self.rotate:
                answer.pop("refresh_token", None)
            elif "refresh_token" not in answer:
                answer["refresh_token"] = self.add_refresh_token(grant.email, client_id, scope)
            return 200, answer
        if grant_type == DEVICE_GRANT:
            request = self.devices.get(form.get("device_code", ""))
            if request is None or request.client_id != client_id:
                return 400, {"error": "invalid_grant"}
            if request.email is None:
                return 400, {
                    "error": "authorization_pending",
                    "error_description": "AADSTS70016: pending",
                }
            del self.devices[form["device_code"]]
            return 200, self._tokens(request.email, client_id, request.scope)
        if grant_type == "client_credentials":
            scope = form.get("scope", "")
            if not scope.endswith("/.default"):
                return 400, {"error": "invalid_scope", "error_description": "AADSTS70011: scope"}
            return 200, {
                "token_type": "Bearer",
                "expires_in": self.access_ttl,
                "access_token": self.mint(f"app-{client_id}@example.test", scope=scope),
            }
        return 400, {"error": "unsupported_grant_type"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: requests carry codes and tokens."""

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        data = json.dumps(body).encode() if body or status != 302 else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        emulator = self.server.emulator
        parts = urllib.parse.urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        query = dict(urllib.parse.parse_qsl(parts.query))
        if segments[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            self._send(200, emulator.openid_configuration(segments[0]))
        elif segments[1:] == ["oauth2", "v2.0", "authorize"] or parts.path == "/o/oauth2/v2/auth":
            status, headers, body = emulator.authorize(query)
            self._send(status, body, headers)
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        emulator = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        basic = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            basic = (urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password))
        path = urllib.parse.urlsplit(self.path).path
        segments = [s for s in path.split("/") if s]
        if segments[1:] == ["oauth2", "v2.0", "token"] or path == "/token":
            status, body = emulator.token(form, basic)
        elif segments[1:] == ["oauth2", "v2.0", "devicecode"]:
            status, body = emulator.devicecode(form)
        else:
            status, body = 404, {"error": "not_found"}
        self._send(status, body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: OAuthEmulator


class OAuthServer:
    """The emulator served over HTTPS on 127.0.0.1 (random port), certificate from ``ca``."""

    def __init__(self, emulator: OAuthEmulator, server_context: ssl.SSLContext) -> None:
        self.emulator = emulator
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.emulator = emulator
        self._server.socket = server_context.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        emulator.base = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return self.emulator.base

    def start(self) -> OAuthServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
