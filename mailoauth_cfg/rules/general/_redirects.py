"""How a registered redirect URI is compared with the one a target sends (shared helper).

Microsoft Entra (source: https://learn.microsoft.com/entra/identity-platform/reply-url; see
also :data:`mailoauth_cfg.catalog.microsoft.LOOPBACK_REDIRECT_URI`):

* the comparison is case-sensitive;
* a URI without a path is stored with a trailing ``/``, so ``https://host`` and
  ``https://host/`` are the same registration; a trailing ``/`` after a path is significant;
* the port of an ``http`` loopback URI (``localhost``, ``127.0.0.1``, ``[::1]``) is ignored.

Google compares exactly (its desktop loopback needs no registration at all).
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit, urlunsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""Hosts for which Entra accepts ``http`` and ignores the port (``[::1]`` parses as ``::1``)."""

Nearness = Literal["case", "slash", "case-and-slash"]


def _host(uri: str) -> str | None:
    try:
        return urlsplit(uri).hostname
    except ValueError:
        return None


def is_loopback(uri: str) -> bool:
    """Whether ``uri`` points at the local machine (``localhost``, ``127.0.0.1``, ``[::1]``)."""
    host = _host(uri)
    return host is not None and host.lower() in LOOPBACK_HOSTS


def _canonical(uri: str, provider_type: str | None) -> str:
    """The form two URIs share when the provider treats them as the same registration."""
    if provider_type != "microsoft":
        return uri
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return uri
    netloc = parts.netloc
    if parts.scheme.lower() == "http" and is_loopback(uri) and port is not None:
        netloc = netloc.rsplit(":", 1)[0]
    path = parts.path or "/"
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def same_redirect(sent: str, registered: str, provider_type: str | None) -> bool:
    """Whether a registration of ``registered`` accepts a request that sends ``sent``."""
    return _canonical(sent, provider_type) == _canonical(registered, provider_type)


def near_miss(sent: str, registered: str, provider_type: str | None) -> Nearness | None:
    """How ``registered`` differs from ``sent`` when it differs only by case or a trailing ``/``."""
    a, b = _canonical(sent, provider_type), _canonical(registered, provider_type)
    if a == b:
        return None
    if a.lower() == b.lower():
        return "case"
    if a.rstrip("/") == b.rstrip("/"):
        return "slash"
    if a.rstrip("/").lower() == b.rstrip("/").lower():
        return "case-and-slash"
    return None


def describe_near_miss(kind: Nearness, provider_type: str | None = None) -> str:
    """Human text for a :func:`near_miss` result."""
    who = "Entra compares" if provider_type == "microsoft" else "providers compare"
    case = f"{who} redirect URIs case-sensitively"
    slash = "a trailing '/' is significant after a path; only a URI without a path gets one added"
    return {
        "case": f"differs only by letter case ({case})",
        "slash": f"differs only by a trailing '/' ({slash})",
        "case-and-slash": f"differs only by letter case and a trailing '/' ({case}; {slash})",
    }[kind]
