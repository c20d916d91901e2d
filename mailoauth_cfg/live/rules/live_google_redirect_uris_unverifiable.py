"""No Google API exposes an OAuth client's redirect URIs: they must be checked by hand.

**What.** For every delegated Google app whose targets send a redirect URI that must be
registered (or that declares ``redirect_uris``), a finding of status ``unknown`` lists the URIs
and the console page where the client's *Authorized redirect URIs* are shown. It is never a
pass: the live check cannot see them.

**Why.** A redirect URI missing from the client makes the consent fail with
``Error 400: redirect_uri_mismatch``. Google's APIs do not expose OAuth client settings: none of
the discovery documents has the client's redirect URIs (``iam.v1`` ``OauthClient`` is for
Workforce Identity Federation only).

**Fix.** Open Google Cloud console › APIs & Services › Credentials › OAuth 2.0 Client IDs ›
<client> and compare *Authorized redirect URIs* with the list. Once checked, attest it next to
the object with a reason and an expiry (``suppress: [{rule:
live-google-redirect-uris-unverifiable, reason: "checked in the console", expires: ...}]``): the
finding is then reported as suppressed, and comes back when the attestation expires.

Source: https://developers.google.com/identity/protocols/oauth2/web-server#uri-validation."""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.google.needs import project_of
from mailoauth_cfg.live.rules._google import CREDENTIALS_CONSOLE, FAMILY, google_apps, unverifiable
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """One ``unknown`` per delegated Google app with redirect URIs to register."""
    for plan, domain in google_apps(ctx):
        app = plan.app
        if app.flow != "delegated":
            continue
        path: PathKey = ("apps", plan.name)
        if app.redirect_uris is not None:
            uris = list(app.redirect_uris)
            path = ("apps", plan.name, "redirect_uris")
        else:
            uris = list(plan.expected_redirects)
        if not uris:
            continue
        domain.unexposed("oauth_clients", app.client_id)
        project = project_of(app.client_id)
        where = f" of project {project}" if project else ""
        yield unverifiable(
            ctx,
            RULE,
            f"no Google API exposes the redirect URIs of OAuth client {app.client_id} (app "
            f"{plan.name}): check by hand that its Authorized redirect URIs include "
            f"{', '.join(uris)}",
            path,
            fix=f"{CREDENTIALS_CONSOLE}{where} › OAuth 2.0 Client IDs › {app.client_id} › "
            "Authorized redirect URIs",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="live-google-redirect-uris-unverifiable",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("oauth_clients",),
    impacts=((Severity.ERROR, "a wrong redirect URI stops the consent (checked by hand)"),),
)
