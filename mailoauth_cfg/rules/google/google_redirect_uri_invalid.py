"""A redirect URI declared on a Google app breaks Google's redirect URI rules.

**What.** An entry of ``apps.<name>.redirect_uris`` on a Google app

* is the retired out-of-band URI (``urn:ietf:wg:oauth:2.0:oob`` and variants;
  ``catalog.google.RETIRED_REDIRECT_URIS``);
* uses ``http`` for a host other than ``localhost``, ``127.0.0.1`` or ``[::1]``;
* uses a scheme other than ``http``/``https``;
* contains a wildcard ``*``, a fragment ``#...``, user information (``user@host``) or a
  path traversal (``/..``, ``\\``);
* has a raw IP address as host (loopback excepted), or a ``googleusercontent.com`` host.

**Why.** The Cloud console refuses to save such a URI, or Google refuses the authorisation
request (``Error 400: invalid_request``, ``redirect_uri_mismatch``). Google blocked the
out-of-band copy/paste flow, so tools that still send the OOB URI (mutt_oauth2.py's built-in
Google registration) cannot get a token at all.

**Fix.** Register the exact https URI the target sends (``http`` is accepted only for
loopback addresses); for command-line tools use a *Desktop app* client with a loopback redirect
(``http://127.0.0.1:<port>``) instead of OOB.

Source: https://developers.google.com/identity/protocols/oauth2/web-server (Redirect URI
validation rules); https://developers.google.com/identity/protocols/oauth2/resources/oob-migration
(catalog ``google.RETIRED_REDIRECT_URIS``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.catalog.google import RETIRED_REDIRECT_URIS
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import CREDENTIALS, google_app_plans

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def problems(uri: str) -> tuple[list[str], str]:
    """(what is wrong with ``uri``, the concrete fix) for Google's redirect URI rules."""
    retired = RETIRED_REDIRECT_URIS.get(uri.strip())
    if retired is not None:
        return [retired.reason], f"use a {retired.replacement}"
    found: list[str] = []
    try:
        parts = urlsplit(uri.strip())
    except ValueError:  # unbalanced brackets of an IPv6 host
        return ["it is not a URL (malformed host)"], "register the exact URI the target sends"
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    fix = (
        f"register the exact https URI the target sends, e.g. https://{host or 'host'}{parts.path}"
    )
    if scheme not in ("http", "https"):
        found.append(f"scheme {parts.scheme or '(none)'!r} is not http(s)")
    elif scheme == "http" and host not in LOOPBACK_HOSTS:
        found.append("http is allowed only for localhost/127.0.0.1")
        fix = "use " + "https" + uri.strip()[len(parts.scheme) :]
    if "*" in uri:
        found.append("wildcards are not allowed")
        fix = "register every exact URI, without '*'"
    if parts.fragment or "#" in uri:
        found.append("a fragment (#...) is not allowed")
        fix = "use " + uri.split("#", 1)[0]
    if "@" in parts.netloc:
        found.append("user information (user@host) is not allowed")
    if "/.." in parts.path or "\\" in uri:
        found.append("path traversal ('/..' or '\\\\') is not allowed")
    if host and host not in LOOPBACK_HOSTS:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            found.append("a raw IP address is not allowed as host (loopback excepted)")
            fix = "use the DNS name of the host with https"
    if host == "googleusercontent.com" or host.endswith(".googleusercontent.com"):
        found.append("googleusercontent.com hosts are not allowed")
    return found, fix


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check each declared redirect URI of Google apps."""
    for plan in google_app_plans(ctx):
        for index, uri in enumerate(plan.app.redirect_uris or ()):
            found, fix = problems(uri)
            if not found:
                continue
            yield ctx.finding(
                RULE,
                f"redirect URI {uri!r} of Google app {plan.name} is not accepted by Google: "
                + "; ".join(found),
                ("apps", plan.name, "redirect_uris", index),
                fix=f"{fix} (and the same in {CREDENTIALS} › <client> › Authorized redirect URIs)",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="google-redirect-uri-invalid",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=((Severity.ERROR, "Google refuses the redirect URI: no sign-in"),),
)
