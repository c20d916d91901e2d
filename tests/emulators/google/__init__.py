"""A Google Workspace emulator for the live checks: the OAuth token endpoint (JWT bearer grant of
a service account with domain-wide delegation, refresh-token grant of user credentials), the
Admin SDK Directory API, Gmail settings, Service Usage and their ``/batch`` endpoint, over HTTPS
on 127.0.0.1 with a trustme CA.

The real clients (google-auth, google-api-python-client over httplib2) talk to it through a
provider's ``endpoints: {token, apis}`` override and ``ca_bundle:``; nothing on the client side
is mocked::

    with GoogleEmulator(load_scenario("baseline")) as domain:
        config = {..., "providers": {"acme": domain.provider(admin="admin@acme.example")}}
        env = domain.environment()     # GOOGLE_APPLICATION_CREDENTIALS -> a service-account key
        ...
        domain.stats.requests["batch"] # HTTP requests received, by route

What it enforces, as Google does: the JWT assertion's signature (the key is made here), issuer,
audience (the token URL) and, with ``sub``, the delegation allow-list (``unauthorized_client``
otherwise); the Directory API only for ``admins`` with the right scope; Gmail settings only with
a token of that very mailbox ("Delegation denied" otherwise); Service Usage only for a
project's ``viewers``. Faults and latency come from :mod:`tests.emulators._server`; faults of
scope ``item`` apply to the calls inside a batch (their route is the call's route).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.emulators._server import Fault, Faults, HttpsServer, Request, Response, Tls
from tests.emulators.google import batch
from tests.emulators.google.scenario import GoogleScenario, load_scenario

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
DIRECTORY = re.compile(r"^/admin/directory/v1/users/([^/]+)(/tokens|/asps)?$")
GMAIL = re.compile(r"^/gmail/v1/users/([^/]+)/settings/(imap|pop|sendAs/([^/]+))$")
SERVICE = re.compile(r"^/v1/projects/([^/]+)/services/([^/]+)$")
DIRECTORY_SCOPES = {
    "users.get": {
        "https://www.googleapis.com/auth/admin.directory.user.readonly",
        "https://www.googleapis.com/auth/admin.directory.user",
    },
    "tokens.list": {"https://www.googleapis.com/auth/admin.directory.user.security"},
    "asps.list": {"https://www.googleapis.com/auth/admin.directory.user.security"},
}
GMAIL_SCOPES = {
    "https://mail.google.com/",
    "https://www.googleapis.com/auth/gmail.modify",
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.settings.basic",
}
USAGE_SCOPES = {
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/cloud-platform.read-only",
}


@dataclass(frozen=True)
class Token:
    """An issued access token: who it acts as and with which scopes."""

    subject: str
    """The impersonated user, the authorised user, or the service account's e-mail."""
    scopes: frozenset[str]
    service_account: bool
    expires: float


@lru_cache(maxsize=1)
def _key() -> tuple[str, Any]:
    """One RSA key per process (2048 bits: generated once, ~50 ms): PEM and public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, key.public_key()


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def error(status: int, message: str, reason: str, code: str) -> Response:
    """A Google API error body."""
    return Response(
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}],
                "status": code,
            }
        },
    )


def _oauth_error(status: int, error_code: str, description: str) -> Response:
    return Response(status, {"error": error_code, "error_description": description})


class GoogleEmulator:
    """One Workspace domain (a :class:`GoogleScenario`) served over HTTPS."""

    def __init__(
        self, scenario: GoogleScenario, tls: Tls | None = None, key_dir: str | Path | None = None
    ) -> None:
        self.scenario = scenario
        self.tls = tls or Tls()
        self.faults = Faults([Fault.from_dict(f) for f in scenario.faults], seed=scenario.seed)
        self.server = HttpsServer(
            self.handle, self.route, self.tls, latency=scenario.latency, faults=self.faults
        )
        self.stats = self.server.stats
        self.key_id = secrets.token_hex(20)
        self._key_dir = Path(key_dir or tempfile.mkdtemp(prefix="google-emulator-"))
        self._key_dir.mkdir(parents=True, exist_ok=True)
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        self.subjects: list[str | None] = []
        """``sub`` of every JWT grant (``None``: the service account itself), for tests."""

    # -- serving --------------------------------------------------------------------------------
    @staticmethod
    def route_of(method: str, path: str) -> str:
        """Route name of a call (also the calls inside a batch)."""
        if path == "/token":
            return "token"
        if path.startswith("/batch"):
            return "batch"
        if m := DIRECTORY.match(path):
            return {None: "directory:users.get", "/tokens": "directory:tokens.list"}.get(
                m.group(2), "directory:asps.list"
            )
        if m := GMAIL.match(path):
            setting = m.group(2)
            if setting == "imap":
                return "gmail:getImap"
            if setting == "pop":
                return "gmail:getPop"
            return "gmail:sendAs.get"
        if SERVICE.match(path):
            return "serviceusage:services.get"
        return "other"

    def route(self, request: Request) -> str:
        """Route name of an HTTP request, for faults and counts."""
        return self.route_of(request.method, request.path)

    def handle(self, request: Request) -> Response:
        """Dispatch to the token endpoint, the batch endpoint or one API call."""
        if request.path == "/token":
            if request.method != "POST":
                return _oauth_error(405, "invalid_request", "POST only")
            return self.token(request)
        if request.path.startswith("/batch"):
            if request.method != "POST":
                return error(405, "POST only", "badRequest", "INVALID_ARGUMENT")
            return self.batch(request)
        return self.call(request.method, request.path, request.query, request.headers)

    # -- the token endpoint ---------------------------------------------------------------------
    def _issue(self, subject: str, scopes: frozenset[str], service_account: bool) -> Response:
        token = "ya29." + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = Token(subject, scopes, service_account, time.time() + 3600)
        return Response(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def token(self, request: Request) -> Response:
        """``POST /token``: JWT bearer grant (service account) or refresh-token grant."""
        form = dict(urllib.parse.parse_qsl(request.body.decode("utf-8", "replace")))
        grant = form.get("grant_type", "")
        if grant == "refresh_token":
            for user in self.scenario.authorized_users:
                if (
                    form.get("client_id") == user["client_id"]
                    and form.get("client_secret") == user["client_secret"]
                    and form.get("refresh_token") == user["refresh_token"]
                ):
                    return self._issue(user["email"].lower(), frozenset(user["scopes"]), False)
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        if grant != JWT_BEARER:
            return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
        claims = self._verify(form.get("assertion", ""))
        if isinstance(claims, Response):
            return claims
        sa = self.scenario.service_account
        scopes = frozenset(str(claims.get("scope", "")).split())
        subject = claims.get("sub")
        with self._lock:
            self.subjects.append(subject)
        if not subject:
            return self._issue(sa["client_email"].lower(), scopes, True)
        allowed = set(self.scenario.delegation.get(sa["client_id"], []))
        if not scopes or not scopes <= allowed:
            return _oauth_error(
                401,
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client "
                "not authorized for any of the scopes requested.",
            )
        found = self.scenario.find(str(subject))
        if found is None:
            return _oauth_error(400, "invalid_grant", "Invalid email or User ID")
        return self._issue(str(found["primaryEmail"]).lower(), scopes, True)

    def _verify(self, assertion: str) -> dict[str, Any] | Response:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            head, body, signature = assertion.split(".")
            header = json.loads(_b64(head))
            claims = json.loads(_b64(body))
            _, public = _key()
            public.verify(
                _b64(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (ValueError, InvalidSignature):
            return _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        if header.get("alg") != "RS256" or header.get("kid") != self.key_id:
            return _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        if claims.get("iss") != self.scenario.service_account["client_email"]:
            return _oauth_error(400, "invalid_grant", "Invalid JWT: unknown issuer")
        # google-auth always signs for Google's token URL, whatever its token_uri.
        if claims.get("aud") not in (GOOGLE_TOKEN_URL, f"{self.base}/token"):
            return _oauth_error(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        now = time.time()
        if not (float(claims.get("iat", 0)) - 300 <= now <= float(claims.get("exp", 0)) + 300):
            return _oauth_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived")
        return dict(claims)

    def _caller(self, headers: dict[str, str]) -> Token | Response:
        value = headers.get("authorization", "")
        token = value[7:] if value.lower().startswith("bearer ") else ""
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found.expires < time.time():
            return error(
                401,
                "Request had invalid authentication credentials.",
                "authError",
                "UNAUTHENTICATED",
            )
        return found

    # -- one API call ---------------------------------------------------------------------------
    def call(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str]
    ) -> Response:
        """One GET of Directory, Gmail or Service Usage (also the calls inside a batch)."""
        route = self.route_of(method, path)
        if route == "other":
            return error(404, f"Not Found: {path}", "notFound", "NOT_FOUND")
        if method != "GET":
            return error(405, "GET only", "badRequest", "INVALID_ARGUMENT")
        caller = self._caller(headers)
        if isinstance(caller, Response):
            return caller
        if route in self.scenario.denied:
            return error(403, "Not Authorized to access this resource/api", "forbidden", "")
        if route.startswith("directory:"):
            return self.directory(route.partition(":")[2], path, caller)
        if route.startswith("gmail:"):
            return self.gmail(path, caller)
        return self.service_usage(path, caller)

    def directory(self, method: str, path: str, caller: Token) -> Response:
        """``users.get``, ``tokens.list``, ``asps.list``."""
        admins = {a.lower() for a in self.scenario.admins}
        if caller.subject not in admins:
            return error(403, "Not Authorized to access this resource/api", "forbidden", "")
        if not caller.scopes & DIRECTORY_SCOPES[method]:
            return error(
                403,
                "Request had insufficient authentication scopes.",
                "insufficientPermissions",
                "PERMISSION_DENIED",
            )
        match = DIRECTORY.match(path)
        assert match is not None
        user = self.scenario.find(urllib.parse.unquote(match.group(1)))
        if user is None:
            return error(404, "Resource Not Found: userKey", "notFound", "")
        if method == "users.get":
            return Response(200, self.scenario.resource(user))
        if method == "tokens.list":
            items = user.get("tokens") or []
            body: dict[str, Any] = {"kind": "admin#directory#tokenList"}
            if items:
                body["items"] = [
                    {"kind": "admin#directory#token", "userKey": user["id"], **t} for t in items
                ]
            return Response(200, body)
        asps = user.get("asps") or []
        body = {"kind": "admin#directory#asps"}
        if asps:
            body["items"] = [
                {"kind": "admin#directory#asp", "userKey": user["id"], **a} for a in asps
            ]
        return Response(200, body)

    def gmail(self, path: str, caller: Token) -> Response:
        """``settings.getImap``, ``settings.getPop``, ``settings.sendAs.get``, as the mailbox."""
        match = GMAIL.match(path)
        assert match is not None
        if not caller.scopes & GMAIL_SCOPES:
            return error(
                403,
                "Request had insufficient authentication scopes.",
                "insufficientPermissions",
                "PERMISSION_DENIED",
            )
        key = urllib.parse.unquote(match.group(1))
        user = self.scenario.find(caller.subject if key == "me" else key)
        if user is None or user["primaryEmail"].lower() != caller.subject:
            return error(403, f"Delegation denied for {caller.subject}", "forbidden", "")
        if user.get("isMailboxSetup") is False:
            return error(400, "Mail service not enabled", "failedPrecondition", "")
        settings = user.get("gmail") or {}
        what = match.group(2)
        if what == "imap":
            default = {"enabled": False, "autoExpunge": True, "expungeBehavior": "archive"}
            return Response(200, {**default, **(settings.get("imap") or {})})
        if what == "pop":
            default = {"accessWindow": "disabled", "disposition": "leaveInInbox"}
            return Response(200, {**default, **(settings.get("pop") or {})})
        wanted = urllib.parse.unquote(match.group(3)).lower()
        primary = {
            "sendAsEmail": user["primaryEmail"],
            "displayName": "",
            "replyToAddress": "",
            "signature": "",
            "isPrimary": True,
            "isDefault": True,
        }
        for item in [primary, *(settings.get("sendAs") or [])]:
            if str(item.get("sendAsEmail", "")).lower() == wanted:
                return Response(200, item)
        return error(404, "Requested entity was not found.", "notFound", "NOT_FOUND")

    def service_usage(self, path: str, caller: Token) -> Response:
        """``services.get``: only a project's viewers may read it (others: 403, as for a
        project that does not exist)."""
        match = SERVICE.match(path)
        assert match is not None
        project, service = match.group(1), match.group(2)
        denied = error(
            403,
            f"Permission denied to get service [{service}]",
            "forbidden",
            "PERMISSION_DENIED",
        )
        if not caller.scopes & USAGE_SCOPES:
            return denied
        found = self.scenario.projects.get(project)
        if found is None or caller.subject not in {v.lower() for v in found.get("viewers", [])}:
            return denied
        state = (found.get("services") or {}).get(service, "DISABLED")
        return Response(
            200,
            {
                "name": f"projects/{project}/services/{service}",
                "parent": f"projects/{project}",
                "config": {"name": service},
                "state": state,
            },
        )

    # -- batch ----------------------------------------------------------------------------------
    def batch(self, request: Request) -> Response:
        """``multipart/mixed`` batch of GET calls; item faults per call."""
        parts = batch.parse(request.headers.get("content-type", ""), request.body)
        if parts is None:
            return error(400, "Invalid multipart request", "badRequest", "INVALID_ARGUMENT")
        if len(parts) > 1000:
            return error(400, "Too many requests in batch", "badRequest", "INVALID_ARGUMENT")
        answers: list[tuple[str, int, dict[str, str], bytes]] = []
        for part in parts:
            split = urllib.parse.urlsplit(part.target)
            path = urllib.parse.unquote(split.path)
            query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
            route = self.route_of(part.method, path)
            self.stats.count(route, item=True)
            json_type = {"Content-Type": "application/json; charset=UTF-8"}
            fault = self.faults.pick(route, f"{part.method} {part.target}", "item")
            if fault is not None and fault.kind in ("latency", "timeout"):
                time.sleep(fault.seconds)  # the whole batch answers that much later
            if fault is not None and fault.kind == "status":
                answers.append(
                    (
                        part.content_id,
                        fault.status,
                        {**json_type, **fault.headers()},
                        batch.json_body(fault.body()),
                    )
                )
                continue
            if fault is not None and fault.kind == "malformed":
                answers.append((part.content_id, 200, json_type, b'{"primaryEmail": "trunc'))
                continue
            if fault is not None and fault.kind == "missing":
                continue  # the part is left out of the batch response
            headers = {**request.headers, **part.headers}
            response = self.call(part.method, path, query, headers)
            answers.append(
                (part.content_id, response.status, json_type, batch.json_body(response.body))
            )
        content_type, body = batch.compose(answers)
        return Response(200, raw=body, headers={"Content-Type": content_type})

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> GoogleEmulator:
        """Start serving."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    def __enter__(self) -> GoogleEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what a config and the checker need -----------------------------------------------------
    @property
    def base(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return self.server.base

    @property
    def ca_file(self) -> str:
        """PEM of the CA that signed the server certificate."""
        return self.tls.ca_file

    def provider(self, **extra: Any) -> dict[str, Any]:
        """A ``providers:`` entry pointing the token endpoint and the APIs at the emulator."""
        return {
            "type": "google",
            "domain": self.scenario.domain,
            "endpoints": {"token": self.base, "apis": self.base},
            "ca_bundle": self.ca_file,
            **extra,
        }

    def key_info(self) -> dict[str, Any]:
        """The service account's key file content (its ``token_uri`` is Google's: the provider's
        ``endpoints.token`` must override it)."""
        pem, _ = _key()
        sa = self.scenario.service_account
        return {
            "type": "service_account",
            "project_id": sa.get("project_id", "checker"),
            "private_key_id": self.key_id,
            "private_key": pem,
            "client_email": sa["client_email"],
            "client_id": sa["client_id"],
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
        }

    def environment(self, *, user: bool = False) -> dict[str, str]:
        """``GOOGLE_APPLICATION_CREDENTIALS`` -> a key file of the service account (or, with
        ``user``, the first authorised user's credentials)."""
        if user:
            found = self.scenario.authorized_users[0]
            info = {
                "type": "authorized_user",
                "client_id": found["client_id"],
                "client_secret": found["client_secret"],
                "refresh_token": found["refresh_token"],
            }
            name = "user.json"
        else:
            info = self.key_info()
            name = "service-account.json"
        path = self._key_dir / name
        path.write_text(json.dumps(info), encoding="utf-8")
        path.chmod(0o600)
        return {"GOOGLE_APPLICATION_CREDENTIALS": str(path)}


__all__ = ["Fault", "GoogleEmulator", "GoogleScenario", "Tls", "load_scenario"]
