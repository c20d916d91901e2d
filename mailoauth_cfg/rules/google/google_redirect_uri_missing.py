"""A Google Web client's declared redirect URIs lack the URI a target sends.

**What.** A Google app with ``platform: web`` declares ``redirect_uris`` and one of its OAuth
targets sends a redirect URI that is not in the list, character for character (the expected
URI is computed from the target: ``derive.AppPlan.expected_redirects``). When a declared URI
differs only in scheme, case, port, path or trailing slash, the finding points at it and says
what differs.

**Why.** Google compares the ``redirect_uri`` of the authorisation request exactly with the
client's *Authorized redirect URIs*: scheme, host, port, path, trailing slash and case all
count. Any difference gives ``Error 400: redirect_uri_mismatch`` and the consent never
completes. The usual causes are a missing trailing slash, ``http`` versus ``https``, the
application's base URL changed (Dolibarr ``$dolibarr_main_url_root``, Odoo
``web.base.url``), or ``/index.php/`` in Nextcloud URLs.

**Fix.** Add the exact URI to ``redirect_uris`` and to Google Cloud console › APIs & Services ›
Credentials › <client> › Authorized redirect URIs (changes can take a few minutes to apply),
or correct the target's URL if the registered one is right.

Source: https://developers.google.com/identity/protocols/oauth2/web-server
(redirect_uri_mismatch); each kind's facts (redirect URI per target).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import (
    CREDENTIALS,
    google_app_plans,
    targets_phrase,
    uses_google_oauth,
)

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _loose(uri: str) -> tuple[str, str, str]:
    """Host, port and path with case, default port and trailing slash ignored."""
    parts = urlsplit(uri.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        port = 0
    return ((parts.hostname or "").lower(), str(port), parts.path.rstrip("/").lower())


def difference(expected: str, declared: str) -> str | None:
    """How ``declared`` differs from ``expected`` when it is a near miss, else ``None``."""
    if expected == declared:
        return None
    try:
        a, b = urlsplit(expected), urlsplit(declared.strip())
        host_a, _, path_a = _loose(expected)
        host_b, _, path_b = _loose(declared)
    except ValueError:  # malformed URI: not a near miss (google-redirect-uri-invalid says why)
        return None
    if host_a != host_b or path_a != path_b:
        return None
    diffs: list[str] = []
    if declared != declared.strip():
        diffs.append("surrounding spaces")
    if a.scheme.lower() != b.scheme.lower():
        diffs.append(f"scheme {b.scheme} instead of {a.scheme}")
    if a.netloc != b.netloc and a.netloc.lower() != b.netloc.lower():
        diffs.append(f"host/port {b.netloc} instead of {a.netloc}")
    elif a.netloc != b.netloc:
        diffs.append("letter case of the host")
    if a.path.rstrip("/") == b.path.rstrip("/") and a.path != b.path:
        diffs.append("trailing slash")
    elif a.path != b.path:
        diffs.append("letter case of the path")
    if a.query != b.query:
        diffs.append("query string")
    return ", ".join(diffs) if diffs else "spelling"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare declared redirect URIs of Google Web clients with what the targets send."""
    for plan in google_app_plans(ctx):
        declared = plan.app.redirect_uris
        if declared is None or plan.app.platform != "web":
            continue
        expected: dict[str, list[str]] = {}
        for target in plan.targets:
            uri = target.redirect_uri
            if uri is not None and target.must_register_redirect and uses_google_oauth(target):
                expected.setdefault(uri, []).append(target.name)
        for uri in sorted(expected):
            if uri in declared:
                continue
            names = targets_phrase(expected[uri])
            path: PathKey = ("apps", plan.name, "redirect_uris")
            detail = ""
            for index, candidate in enumerate(declared):
                diff = difference(uri, candidate)
                if diff is not None:
                    path, detail = (*path, index), f"; {candidate!r} differs by: {diff}"
                    break
            yield ctx.finding(
                RULE,
                f"redirect URI {uri!r}, sent by {names}, is not declared on Google app "
                f"{plan.name}{detail}; Google compares exactly and answers "
                "redirect_uri_mismatch",
                path,
                fix=f"add `{uri}` to apps.{plan.name}.redirect_uris and to {CREDENTIALS} › "
                "<client> › Authorized redirect URIs",
                object=plan.object,
                at_key=not detail,
            )


RULE = Rule.define(
    __doc__,
    id="google-redirect-uri-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=((Severity.ERROR, "redirect_uri_mismatch: the consent never comes back"),),
)
