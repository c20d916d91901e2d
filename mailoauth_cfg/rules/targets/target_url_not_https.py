"""A web target's URL uses plain http on a host that is not the local machine.

**What.** ``targets.<name>.url`` starts with ``http://`` and its host is not ``localhost``,
``127.0.0.0/8`` or ``::1``. Error when the target's redirect URI derives from that URL (Dolibarr,
MultiSMTP, DigDash, GLPI, Odoo, Nextcloud, Open Bee with ``redirect_path``); warning otherwise.

**Why.** Entra ID accepts ``http`` redirect URIs only for localhost, and Google requires
``https`` for web-client redirect URIs except on loopback hosts: the redirect URI the application
sends cannot be registered, so the consent never comes back. Even without a redirect, the admin
page that holds the client secret would be served in clear text.

**Fix.** Serve the application over TLS and set ``url: https://...`` (Dolibarr:
``$dolibarr_main_url_root`` in ``conf/conf.php`` must be that public https URL).

Source: https://learn.microsoft.com/en-us/entra/identity-platform/reply-url;
https://developers.google.com/identity/protocols/oauth2/web-server (redirect URI validation);
https://wiki.dolibarr.org/index.php/Module_OAuth; Open-DSI's MultiSMTP module documentation
("https obligatoire").
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import is_loopback, target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Flag http URLs of web targets outside loopback."""
    for plan in ctx.target_plans():
        url = plan.target.base_url
        if not plan.facts.web_application or url is None:
            continue
        parts = urlsplit(url)
        if parts.scheme.lower() != "http" or is_loopback(parts.hostname):
            continue
        https = "https://" + url.split("://", 1)[1]
        uri = plan.redirect_uri
        if uri is not None and uri.lower().startswith("http://"):
            message = (
                f"target {plan.name}: url {url} is plain http, so the redirect URI "
                f"{uri} is too; Entra and Google accept http redirect URIs only for localhost"
            )
            severity = Severity.ERROR
        else:
            message = (
                f"target {plan.name}: url {url} is plain http; the admin pages that hold "
                "the client secret and the consent would travel in clear text"
            )
            severity = Severity.WARNING
        yield ctx.finding(
            RULE,
            message,
            target_path(plan.name, "url"),
            fix=f"serve {parts.hostname} over TLS and set `url: {https}`",
            object=plan.object,
            severity=severity,
        )


RULE = Rule.define(
    __doc__,
    id="target-url-not-https",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "the redirect derived from an http URL is refused"),
        (Severity.WARNING, "the admin page holding the secret is served in clear text"),
    ),
)
