"""A target on a Google service account (``flow: app-only``) can only use a user's token.

**What.** On a Google provider, a target uses an app with ``flow: app-only`` (a service
account with domain-wide delegation) while the target obtains its token through a user's
consent: Dolibarr, MultiSMTP, GLPI, Odoo, Nextcloud Mail, DigDash, WaveSoft, sasl-xoauth2,
msmtp (catalog ``GoogleProfile.bootstrap``). email-oauth2-proxy is left to
``email-oauth2-proxy-flow``.

**Why.** None of these applications can sign a service-account JWT: they run an
authorisation-code flow and store the user's refresh token, which needs an OAuth client ID
(``<number>-<id>.apps.googleusercontent.com``) and a consent screen. A service account's
numeric client ID is unknown to the authorisation endpoint (``invalid_client``), and Google
has no client-credentials grant for OAuth clients: the only tokens without a user come from
service accounts.

**Fix.** Use a delegated OAuth client (``flow: delegated``; a Web application or Desktop app
client as the target needs) and let the mailbox owner consent.

Source: each kind's facts (Google bootstrap of each kind);
https://developers.google.com/identity/protocols/oauth2/service-account (domain-wide delegation:
service accounts sign a JWT).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import uses_google_oauth

USER_CONSENT_BOOTSTRAPS = frozenset({"in-app-consent", "cli-loopback", "device-code"})


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find Google targets whose flow needs a token without a user."""
    for plan in ctx.target_plans():
        profile = plan.google
        if profile is None or not uses_google_oauth(plan):
            continue
        if profile.service_account_flow:
            continue  # the kind's own service-account support is its plugin's concern
        if plan.app is None or plan.app.flow != "app-only":
            continue
        if profile.bootstrap not in USER_CONSENT_BOOTSTRAPS:
            continue
        yield ctx.finding(
            RULE,
            f"target {plan.name} ({plan.facts.display_name}) obtains Google tokens through a "
            f"user's consent ({profile.bootstrap}) and cannot use the service account of app "
            f"{plan.app_name} (flow: app-only)",
            ("targets", plan.name, "app"),
            fix=f"use an app with `flow: delegated` and a {profile.client_type or 'web'} OAuth "
            "client, and let the mailbox owner consent",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="google-app-only-unsupported",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=((Severity.ERROR, "the target cannot use a service account: no token"),),
)
