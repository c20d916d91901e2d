"""Google (Gmail / Workspace) OAuth and mail-host knowledge.

Each fact cites its public source (see :mod:`mailoauth_cfg.catalog.sources`). Immutable data
only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.microsoft import MailServer
from mailoauth_cfg.records import record

__all__ = [
    "AUTH_URL",
    "CLIENT_TYPES",
    "DEVICE_CODE_URL",
    "DEVICE_FLOW_ALLOWED_SCOPES",
    "ENDPOINTS",
    "GMAIL_IMAP_ADMIN_SCOPE",
    "IMAP",
    "LEGACY_AUTH_URL",
    "LEGACY_TOKEN_URL",
    "LOOPBACK_REDIRECT_URI",
    "MAIL_SCOPE",
    "MAX_REFRESH_TOKENS_PER_CLIENT",
    "OFFLINE_AUTH_PARAMS",
    "POP",
    "RETIRED_REDIRECT_URIS",
    "SASL_MECHANISMS",
    "SMTP",
    "SMTP_SSL",
    "TESTING_REFRESH_TOKEN_DAYS",
    "TOKENINFO_URL",
    "TOKEN_URL",
    "UNUSED_REFRESH_TOKEN_MONTHS",
    "ClientType",
    "Endpoint",
    "RetiredRedirect",
    "device_flow_allows",
]

ClientType = Literal["web", "desktop"]
"""Google OAuth client types relevant to mail: *Web application* and *Desktop app*."""

CLIENT_TYPES: tuple[ClientType, ...] = ("web", "desktop")


@record
class Endpoint:
    """A Google OAuth endpoint URL and where it is documented."""

    key: str
    url: str
    note: str
    source: str


AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
LEGACY_AUTH_URL = "https://accounts.google.com/o/oauth2/auth"
TOKEN_URL = "https://oauth2.googleapis.com/token"
LEGACY_TOKEN_URL = "https://accounts.google.com/o/oauth2/token"
DEVICE_CODE_URL = "https://oauth2.googleapis.com/device/code"
TOKENINFO_URL = "https://oauth2.googleapis.com/tokeninfo"

ENDPOINTS: Mapping[str, Endpoint] = MappingProxyType(
    {
        e.key: e
        for e in (
            Endpoint(
                "authorize", AUTH_URL, "v2 authorization endpoint", src.GOOGLE_WEB_SERVER_FLOW
            ),
            Endpoint(
                "authorize-legacy",
                LEGACY_AUTH_URL,
                "Older form still used by Odoo, GLPI, Dolibarr and email-oauth2-proxy",
                src.EMAILPROXY_CONFIG,
            ),
            Endpoint("token", TOKEN_URL, "Token endpoint", src.GOOGLE_WEB_SERVER_FLOW),
            Endpoint(
                "token-legacy",
                LEGACY_TOKEN_URL,
                "Older form; sasl-xoauth2's default token_endpoint",
                src.SASL_XOAUTH2_CONF,
            ),
            Endpoint(
                "device",
                DEVICE_CODE_URL,
                "Device authorization; not usable for Gmail (see DEVICE_FLOW_ALLOWED_SCOPES)",
                src.GOOGLE_DEVICE_FLOW_SCOPES,
            ),
            Endpoint(
                "tokeninfo",
                TOKENINFO_URL,
                "Token introspection (?access_token=…): audience, scope, expires_in, email",
                src.GOOGLE_OAUTH2_OVERVIEW,
            ),
        )
    }
)

MAIL_SCOPE = "https://mail.google.com/"
"""The only scope that grants IMAP/POP/SMTP; a restricted scope
(source: :data:`sources.GOOGLE_XOAUTH2`)."""

GMAIL_IMAP_ADMIN_SCOPE = "https://www.googleapis.com/auth/gmail.imap_admin"
"""Alternative IMAP scope for domain-wide-delegation service accounts
(:data:`sources.GOOGLE_XOAUTH2`)."""

DEVICE_FLOW_ALLOWED_SCOPES: frozenset[str] = frozenset(
    {
        "email",
        "openid",
        "profile",
        "https://www.googleapis.com/auth/drive.appdata",
        "https://www.googleapis.com/auth/drive.file",
        "https://www.googleapis.com/auth/youtube",
        "https://www.googleapis.com/auth/youtube.readonly",
    }
)
"""The only scopes Google's device flow accepts; :data:`MAIL_SCOPE` is not one of them
(source: :data:`sources.GOOGLE_DEVICE_FLOW_SCOPES`)."""


def device_flow_allows(scopes: str | tuple[str, ...] | list[str]) -> bool:
    """True when every scope (space-separated string or sequence) is device-flow capable."""
    items = scopes.split() if isinstance(scopes, str) else list(scopes)
    return all(s in DEVICE_FLOW_ALLOWED_SCOPES for s in items)


OFFLINE_AUTH_PARAMS: Mapping[str, str] = MappingProxyType(
    {"access_type": "offline", "prompt": "consent"}
)
"""Authorization parameters needed to get a refresh token; Google returns it only on the first
authorization unless consent is forced (source: :data:`sources.GOOGLE_WEB_SERVER_FLOW`)."""

TESTING_REFRESH_TOKEN_DAYS = 7
"""Refresh-token lifetime when the consent screen is External + Testing and the Gmail scope is
requested (sources: :data:`sources.GOOGLE_OAUTH2_OVERVIEW`,
:data:`sources.GOOGLE_TESTING_EXPIRY`)."""

MAX_REFRESH_TOKENS_PER_CLIENT = 100
"""Refresh tokens per Google account per OAuth client; the oldest is revoked silently beyond it
(source: :data:`sources.GOOGLE_OAUTH2_OVERVIEW`)."""

UNUSED_REFRESH_TOKEN_MONTHS = 6
"""A refresh token unused for six months expires
(source: :data:`sources.GOOGLE_OAUTH2_OVERVIEW`)."""

LOOPBACK_REDIRECT_URI = "http://127.0.0.1"
"""Desktop-app clients redirect to a loopback address on any port; the URI is not registered
(source: :data:`sources.GOOGLE_NATIVE_APPS`)."""

SASL_MECHANISMS: tuple[str, ...] = ("XOAUTH2", "OAUTHBEARER")
"""Gmail accepts both (source: :data:`sources.MUTT_OAUTH2`)."""

SMTP = MailServer("smtp.gmail.com", 587, "starttls", True, src.GOOGLE_MAIL_HOSTS)
SMTP_SSL = MailServer("smtp.gmail.com", 465, "tls", True, src.GOOGLE_MAIL_HOSTS)
IMAP = MailServer("imap.gmail.com", 993, "tls", True, src.GOOGLE_MAIL_HOSTS)
POP = MailServer("pop.gmail.com", 995, "tls", True, src.GOOGLE_MAIL_HOSTS)


@record
class RetiredRedirect:
    """A redirect URI Google no longer accepts."""

    uri: str
    reason: str
    replacement: str
    source: str


_OOB_REASON = (
    "Google blocked the out-of-band (copy/paste) flow; authorization with this redirect fails."
)
_OOB_REPLACEMENT = "loopback redirect (http://127.0.0.1:<port>) with a Desktop app client"

RETIRED_REDIRECT_URIS: Mapping[str, RetiredRedirect] = MappingProxyType(
    {
        uri: RetiredRedirect(uri, _OOB_REASON, _OOB_REPLACEMENT, src.GOOGLE_OOB_MIGRATION)
        for uri in ("urn:ietf:wg:oauth:2.0:oob", "urn:ietf:wg:oauth:2.0:oob:auto", "oob")
    }
)
"""OOB redirect URIs (mutt_oauth2.py's built-in Google registration still uses the first one)."""
