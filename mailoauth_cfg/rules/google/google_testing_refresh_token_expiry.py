"""An External consent screen in Testing status makes Gmail refresh tokens expire after 7 days.

**What.** A Google provider declares ``consent_screen: {audience: external, status: testing}``
and targets obtain OAuth tokens through it: a warning, as mail works for a week after each
consent and then stops (it will break later): unattended targets (servers, relays, ERP and
helpdesk mailers) stop sending, interactive ones (Nextcloud Mail, WaveSoft) make users
reconnect by hand.

**Why.** Google issues refresh tokens that expire after 7 days
(``catalog.google.TESTING_REFRESH_TOKEN_DAYS``) to projects whose consent screen is External
and *Testing*, unless only name, e-mail and profile scopes are requested; the Gmail scope is
not one of them. Everything works on the day of the setup and stops a week later with
``invalid_grant`` ("Token has been expired or revoked").

**Fix.** Google Cloud console › APIs & Services › OAuth consent screen › *Publish app* (status
*In production*), set ``status: production``, then redo the consent of each target: tokens
issued while in Testing keep their 7-day life. For a Workspace-only client, the audience
*Internal* avoids the limit too (``audience: internal``).

Source: https://developers.google.com/identity/protocols/oauth2 (Refresh token expiration);
https://support.google.com/cloud/answer/15549945; user reports
simonrob/email-oauth2-proxy#17, tarickb/sasl-xoauth2#29.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import TESTING_REFRESH_TOKEN_DAYS
from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import (
    CONSENT_SCREEN,
    google_providers,
    listing,
    oauth_plans_of_provider,
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find External + Testing consent screens used by OAuth targets."""
    for name, provider in google_providers(ctx):
        screen = provider.consent_screen
        if screen is None or screen.audience != "external" or screen.status != "testing":
            continue
        plans = [
            p
            for p in oauth_plans_of_provider(ctx, name)
            if p.app is not None and p.app.flow == "delegated"
        ]
        if not plans:
            continue
        unattended = [p.name for p in plans if not p.facts.interactive_renewal]
        affected = listing(p.name for p in plans)
        consequence = (
            f"{listing(unattended)} will stop sending"
            if unattended
            else "users will have to reconnect"
        )
        alternative = (
            " (or `audience: internal` if only accounts of the Workspace organisation sign in)"
            if provider.account == "workspace"
            else ""
        )
        yield ctx.finding(
            RULE,
            f"the consent screen of provider {name} is External and in Testing: Google's refresh "
            f"tokens for the Gmail scope expire {TESTING_REFRESH_TOKEN_DAYS} days after each "
            f"consent, so {consequence} a week after the setup (targets: {affected})",
            ("providers", name, "consent_screen", "status"),
            fix=f"{CONSENT_SCREEN} › Publish app, set `status: production`{alternative}, then "
            f"redo the consent for {affected} (tokens issued in Testing keep their 7-day life)",
            object=ObjectRef.provider(name),
        )


RULE = Rule.define(
    __doc__,
    id="google-testing-refresh-token-expiry",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (Severity.WARNING, "refresh tokens die 7 days after each consent: mail stops a week later"),
    ),
)
