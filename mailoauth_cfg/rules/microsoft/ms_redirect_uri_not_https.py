"""A redirect URI registered on a Microsoft app uses plain ``http`` on a non-loopback host.

**What.** An entry of ``apps.<name>.redirect_uris`` starts with ``http://`` and its host is not
``localhost``, ``127.0.0.1`` or ``[::1]``.

**Why.** Entra accepts ``http`` redirect URIs only for loopback addresses; the portal refuses
to save any other one, and an authorization code sent over plain ``http`` across the network
could be intercepted. A target whose public URL is ``http://…`` therefore cannot complete the
consent.

**Fix.** Serve the target over ``https`` (for example behind a TLS reverse proxy), set its URL to
the ``https://`` address, and register the ``https://`` redirect URI instead (App registrations
› <app> › Authentication).

Source: https://learn.microsoft.com/en-us/entra/identity-platform/reply-url
("http" only for localhost).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.general._redirects import is_loopback
from mailoauth_cfg.rules.microsoft._common import microsoft_apps, portal


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Flag declared ``http://`` redirect URIs outside loopback."""
    for plan in microsoft_apps(ctx):
        for index, uri in enumerate(plan.app.redirect_uris or []):
            try:
                scheme = urlsplit(uri).scheme.lower()
            except ValueError:
                continue
            if scheme != "http" or is_loopback(uri):
                continue
            secure = "https://" + uri.split("://", 1)[1]
            yield ctx.finding(
                RULE,
                f"redirect URI {uri} of app {plan.name} uses http on a non-loopback host: Entra "
                "accepts http only for localhost, 127.0.0.1 and [::1]",
                ("apps", plan.name, "redirect_uris", index),
                fix=f"serve the target over https and register {secure} instead "
                f"({portal(plan, 'Authentication')})",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="ms-redirect-uri-not-https",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.ERROR, "Entra refuses the URI: the consent never comes back"),),
)
