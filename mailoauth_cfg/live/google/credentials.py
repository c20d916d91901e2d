"""Where the Google checker connects and as whom: endpoints (or the provider's ``endpoints:``),
the CA bundle, the key file, and the service account (domain-wide delegation) or user
credentials that mint the tokens.

google-auth and httplib2 are imported inside the functions (``--online`` only).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mailoauth_cfg.errors import LiveCredentialError
from mailoauth_cfg.live._retry import parse_retry_after
from mailoauth_cfg.live.google.errors import RETRY_STATUSES, Transient, error_text
from mailoauth_cfg.live.google.permissions import (
    CREDENTIALS_VARIABLE,
    DWD_CONSOLE,
    provider_variable,
)
from mailoauth_cfg.model import GoogleProvider

DIRECTORY_ROOT = "https://admin.googleapis.com/"
GMAIL_ROOT = "https://gmail.googleapis.com/"
BATCH_PATH = "batch"
"""``batchPath`` of the Directory and Gmail discovery documents. googleapiclient's
``new_batch_http_request()`` joins it to the document's ``rootUrl`` and so ignores an
``api_endpoint`` override: the batch URI is built here from the effective base instead."""

Api = Literal["directory", "gmail"]


@dataclass(frozen=True, slots=True)
class GoogleConnection:
    """Endpoints and TLS settings of one Google provider."""

    provider: str
    token_uri: str
    api_base: str | None
    """``endpoints.apis`` (``https://host:port/``) or ``None``: each API's own root URL."""
    ca_bundle: str | None

    def batch_uri(self, api: Api) -> str:
        """Where batches of ``api`` are posted."""
        root = self.api_base or (DIRECTORY_ROOT if api == "directory" else GMAIL_ROOT)
        return root + BATCH_PATH


def google_connection(
    name: str, provider: GoogleProvider, *, root: Path | None = None, ca_bundle: str | None = None
) -> GoogleConnection:
    """Endpoints of ``provider`` with its ``endpoints:`` applied. ``ca_bundle`` (``--ca-bundle``)
    wins over the provider's ``ca_bundle:``, which is relative to ``root`` (the config's
    directory)."""
    from mailoauth_cfg.derive import endpoints

    over = provider.endpoints
    api_base = None
    if over is not None and over.apis:
        text = over.apis.strip().rstrip("/")
        api_base = (text if "://" in text else f"https://{text}") + "/"
    bundle = ca_bundle
    if bundle is None and provider.ca_bundle:
        path = Path(provider.ca_bundle)
        bundle = str(path if path.is_absolute() or root is None else root / path)
    return GoogleConnection(
        provider=name,
        token_uri=endpoints(provider).token_url,
        api_base=api_base,
        ca_bundle=bundle,
    )


def credentials_file(provider: str, environ: Mapping[str, str]) -> Path:
    """The key file to use: ``MAILOAUTH_CFG_GOOGLE_CREDENTIALS_<PROVIDER>``, else
    ``GOOGLE_APPLICATION_CREDENTIALS``, else gcloud's application default credentials."""
    for variable in (provider_variable(provider), CREDENTIALS_VARIABLE):
        value = environ.get(variable, "").strip()
        if value:
            path = Path(value).expanduser()
            if not path.is_file():
                raise LiveCredentialError(f"{variable} {value!r} is not a file")
            return path
    config_dir = environ.get("CLOUDSDK_CONFIG")
    if not config_dir and environ.get("APPDATA"):
        config_dir = str(Path(environ["APPDATA"]) / "gcloud")
    if not config_dir and environ.get("HOME"):
        config_dir = str(Path(environ["HOME"]) / ".config" / "gcloud")
    if config_dir:
        adc = Path(config_dir) / "application_default_credentials.json"
        if adc.is_file():
            return adc
    raise LiveCredentialError(
        f"no Google credentials: set {CREDENTIALS_VARIABLE} (or {provider_variable(provider)}) "
        "to the key file (JSON) of a service account with domain-wide delegation"
    )


class Identity:
    """The checker's Google identity: a service account (DWD) or user credentials."""

    def __init__(self, info: dict[str, Any], conn: GoogleConnection) -> None:
        kind = info.get("type")
        self.kind: Literal["service-account", "user"]
        if kind == "service_account":
            from google.oauth2 import service_account

            accounts: Any = service_account
            self.kind = "service-account"
            self.base: Any = accounts.Credentials.from_service_account_info(
                {**info, "token_uri": conn.token_uri}
            )
            self.client_id = str(info.get("client_id") or "")
            self.email = str(info.get("client_email") or "")
        elif kind == "authorized_user":
            from google.oauth2 import credentials as user_credentials

            users: Any = user_credentials
            self.kind = "user"
            # from_authorized_user_info always sets Google's token URL: override it after.
            self.base = users.Credentials.from_authorized_user_info(info).with_token_uri(
                conn.token_uri
            )
            self.client_id = str(info.get("client_id") or "")
            self.email = ""
        else:
            raise LiveCredentialError(
                f"credential type {kind!r} is not supported: use a service account key "
                "(type service_account) or user credentials (type authorized_user)"
            )
        self._creds: dict[tuple[str | None, tuple[str, ...]], Any] = {}
        self._locks: dict[tuple[str | None, tuple[str, ...]], threading.Lock] = {}
        self._guard = threading.Lock()

    def key(
        self, subject: str | None, scopes: tuple[str, ...]
    ) -> tuple[str | None, tuple[str, ...]]:
        """Cache key: user credentials have one token whatever the subject and scopes."""
        return (subject, scopes) if self.kind == "service-account" else (None, ())

    def credentials(self, subject: str | None, scopes: tuple[str, ...]) -> Any:
        """The (cached) credentials object for ``subject`` with ``scopes``."""
        key = self.key(subject, scopes)
        with self._guard:
            found = self._creds.get(key)
            if found is None:
                if self.kind == "service-account":
                    found = self.base.with_scopes(list(scopes))
                    if subject:
                        found = found.with_subject(subject)
                else:
                    found = self.base
                self._creds[key] = found
                self._locks[key] = threading.Lock()
            return found

    def valid(self, subject: str | None, scopes: tuple[str, ...], http: Any) -> Any:
        """Credentials holding a valid token (refreshed through ``http`` when needed)."""
        creds = self.credentials(subject, scopes)
        lock = self._locks[self.key(subject, scopes)]
        with lock:
            if not creds.valid:
                creds.refresh(AuthRequest(http))
        return creds

    def delegation_hint(self, scopes: tuple[str, ...]) -> str:
        """Where the service account must be allowed ``scopes``."""
        if self.kind != "service-account":
            return "the user credentials must be of a Workspace administrator"
        return (
            f"the service account {self.email} (client ID {self.client_id}) must be allowed "
            f"{', '.join(scopes)} in {DWD_CONSOLE}"
        )


class AuthRequest:
    """google-auth transport over httplib2 that raises :class:`Transient` on a retryable
    status, so that the fetch's own retry budget applies instead of google-auth's loop."""

    def __init__(self, http: Any) -> None:
        import google_auth_httplib2

        self._inner = google_auth_httplib2.Request(http)

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        response = self._inner(url, method=method, body=body, headers=headers, **kwargs)
        if response.status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            reason = f"token endpoint: {error_text(response.status, response.data)}"
            if retry_after is not None:
                reason += f" (Retry-After {retry_after:g} s)"
            raise Transient(response.status, retry_after, reason)
        return response
