"""The Microsoft identity platform's app-only part: OpenID metadata and the v2 token endpoint.

``GET /{tenant}/v2.0/.well-known/openid-configuration`` and ``POST /{tenant}/oauth2/v2.0/token``
with ``grant_type=client_credentials`` and a client secret or a JWT client assertion
(certificate credentials and workload identity federation send one). Tokens are opaque random
strings remembered with their audience (the resource of the ``…/.default`` scope), so Graph and
Exchange routes can refuse a token minted for the other resource, as the real services do.
Errors carry AADSTS codes. Secrets are compared, never stored elsewhere or logged.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from tests.emulators._server import Request, Response
from tests.emulators.microsoft.scenario import Scenario

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class Token:
    """An issued access token."""

    client_id: str
    audience: str
    expires: float
    tenant: str = ""


def _error(status: int, error: str, code: str, text: str) -> Response:
    return Response(
        status,
        {
            "error": error,
            "error_description": f"{code}: {text}",
            "error_codes": [int(code.removeprefix("AADSTS"))],
        },
    )


def _claims(jwt: str) -> dict[str, Any] | None:
    try:
        body = jwt.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
    except (IndexError, ValueError):
        return None


class Identity:
    """Token endpoint and metadata for one tenant."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.base = ""
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def metadata(self, tenant: str) -> Response:
        """OpenID provider metadata."""
        root = f"{self.base}/{tenant}"
        return Response(
            200,
            {
                "issuer": f"{root}/v2.0",
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                "jwks_uri": f"{root}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "tenant_region_scope": "EU",
            },
        )

    def token(self, tenant: str, request: Request) -> Response:
        """The client-credentials grant."""
        form = dict(urllib.parse.parse_qsl(request.body.decode("utf-8", "replace")))
        if (
            tenant.lower() != self.scenario.tenant
            and tenant.lower() not in self.scenario.home_tenants
        ):
            return _error(400, "invalid_request", "AADSTS90002", f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "AADSTS70003", "unsupported grant")
        client_id = (form.get("client_id") or "").lower()
        client = next(
            (c for c in self.scenario.clients if c["client_id"].lower() == client_id), None
        )
        if client is None:
            return _error(
                400, "unauthorized_client", "AADSTS700016", f"Application '{client_id}' not found"
            )
        if "client_secret" in form:
            if client.get("secret") is None or form["client_secret"] != client["secret"]:
                return _error(401, "invalid_client", "AADSTS7000215", "Invalid client secret.")
        elif form.get("client_assertion_type") == ASSERTION_TYPE:
            claims = _claims(form.get("client_assertion", ""))
            if not client.get("assertion") or claims is None:
                return _error(401, "invalid_client", "AADSTS700027", "Assertion refused.")
            # Certificate assertions name the client; federated tokens name the workload.
            subject = str(claims.get("sub") or "").lower()
            if not client.get("federated") and subject != client_id:
                return _error(401, "invalid_client", "AADSTS700027", "Wrong subject.")
        else:
            return _error(401, "invalid_client", "AADSTS7000218", "Credential missing.")
        scope = form.get("scope", "")
        if not scope.endswith("/.default"):
            return _error(400, "invalid_scope", "AADSTS1002012", "Scope must be .default.")
        audience = scope.removesuffix("/.default").lower()
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access] = Token(client_id, audience, time.time() + 3600, tenant.lower())
            self.issued += 1
        return Response(
            200,
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": access,
            },
        )

    def tenant_of(self, request: Request) -> str:
        """The tenant the request's bearer token was issued in."""
        header = request.headers.get("authorization", "")
        token = self._tokens.get(header[7:]) if header.startswith("Bearer ") else None
        return token.tenant if token is not None and token.tenant else self.scenario.tenant

    def check(self, request: Request, audience: str) -> Response | None:
        """``None`` when the bearer token is valid for ``audience``, else the 401 answer."""
        header = request.headers.get("authorization", "")
        token = self._tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if token is None or token.expires < time.time():
            return Response(
                401,
                {
                    "error": {
                        "code": "InvalidAuthenticationToken",
                        "message": "Access token is empty or invalid.",
                    }
                },
            )
        if token.audience != audience.lower():
            return Response(
                401,
                {
                    "error": {
                        "code": "InvalidAuthenticationToken",
                        "message": f"Invalid audience '{token.audience}'.",
                    }
                },
            )
        return None
