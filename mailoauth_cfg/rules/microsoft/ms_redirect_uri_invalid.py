"""A redirect URI on a Microsoft app is of a form Entra refuses or has retired.

**What.** An entry of ``apps.<name>.redirect_uris``

* contains a wildcard ``*`` (reported as a warning: the portal refuses it, the manifest
  accepts it for work-account-only apps, and Microsoft advises against it);
* contains a fragment (``#…``);
* is longer than 256 characters;
* is retired, such as the out-of-band ``urn:ietf:wg:oauth:2.0:oob`` (catalog
  ``RETIRED_REDIRECT_URIS``, with its replacement);
* uses a scheme other than ``http``/``https`` on a ``web`` app (custom schemes such as
  ``msal<client-id>://auth`` exist only on the "Mobile and desktop applications" platform).

**Why.** A redirect endpoint must not carry a fragment (the response is delivered in the
query or a form post), Entra limits redirect URIs to 256 characters and accepts custom schemes
only for public clients, wildcards allow open redirects, and the out-of-band copy/paste URI is
deprecated for OAuth clients. Such an entry either cannot be saved in the registration or
leaves the target with a flow that no longer works.

**Fix.** Register the exact URI the target sends (no ``*``, no ``#``); for a CLI or desktop
client use the loopback ``http://localhost`` or the native-client URI
``https://login.microsoftonline.com/common/oauth2/nativeclient`` under "Mobile and desktop
applications" (App registrations › <app> › Authentication).

Source: https://learn.microsoft.com/en-us/entra/identity-platform/reply-url (length, schemes,
wildcards); RFC 6749 §3.1.2 (no fragment);
https://developers.google.com/identity/protocols/oauth2/resources/oob-migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.catalog.microsoft import RETIRED_REDIRECT_URIS
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import App
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import app_platform, microsoft_apps, portal

MAX_LENGTH = 256
"""Longest redirect URI Entra stores (reply-url restrictions)."""


def problems(uri: str, app: App) -> tuple[list[str], list[str]]:
    """(what is wrong, how to fix it) for one declared redirect URI."""
    wrong: list[str] = []
    fixes: list[str] = []
    lowered = uri.strip().lower()
    retired = next(
        (
            note
            for key, note in sorted(RETIRED_REDIRECT_URIS.items())
            if lowered == key or lowered.startswith(key + ":")
        ),
        None,
    )
    if retired is not None:
        wrong.append(f"it is retired ({retired.reason.rstrip('.')})")
        fixes.append(f"use {retired.replacement}")
        return wrong, fixes
    if "*" in uri:
        wrong.append("it contains a wildcard '*'")
        fixes.append("register each exact URI the targets send")
    if "#" in uri:
        wrong.append("it contains a fragment '#'")
        fixes.append(f"remove the fragment ({uri.split('#', 1)[0]})")
    if len(uri) > MAX_LENGTH:
        wrong.append(f"it is {len(uri)} characters long (at most {MAX_LENGTH})")
        fixes.append("shorten the target's callback URL")
    try:
        scheme = urlsplit(uri).scheme.lower()
    except ValueError:
        scheme = ""
    if app_platform(app) == "web" and scheme not in ("http", "https"):
        wrong.append(
            f"its scheme {scheme + ':' if scheme else '(none)'} is not allowed on the Web "
            "platform (only http/https)"
        )
        fixes.append(
            "register it under 'Mobile and desktop applications' on a public client, or use "
            "an https URI"
        )
    return wrong, fixes


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the form of every declared redirect URI of Microsoft apps."""
    for plan in microsoft_apps(ctx):
        for index, uri in enumerate(plan.app.redirect_uris or []):
            wrong, fixes = problems(uri, plan.app)
            if not wrong:
                continue
            only_wildcard = len(wrong) == 1 and "wildcard" in wrong[0]
            yield ctx.finding(
                RULE,
                f"redirect URI {uri} of app {plan.name} is invalid: {'; '.join(wrong)}",
                ("apps", plan.name, "redirect_uris", index),
                fix="; ".join(fixes) + f" ({portal(plan, 'Authentication')}), and update "
                "redirect_uris",
                object=plan.object,
                severity=Severity.WARNING if only_wildcard else None,
            )


RULE = Rule.define(
    __doc__,
    id="ms-redirect-uri-invalid",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "Entra refuses or retired the URI: no sign-in"),
        (Severity.WARNING, "a wildcard works today but is refused by the portal and discouraged"),
    ),
)
