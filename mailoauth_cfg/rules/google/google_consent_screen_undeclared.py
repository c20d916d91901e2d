"""A Google provider used for OAuth declares no consent screen, which no API can read.

**What.** A Google provider has no ``consent_screen:`` while targets obtain delegated OAuth
tokens (a user signs in) through one of its apps.

**Why.** The consent screen's audience (Internal/External) and publishing status
(Testing/In production) decide whether refresh tokens last or die after 7 days, and whether
accounts outside the organisation can sign in. No Google API exposes them: the IAP OAuth
Admin API, the only one that showed part of it, was shut down on 2026-03-19 (catalog
``dates.GOOGLE_IAP_OAUTH_ADMIN_API_SHUTDOWN``). So they can be checked only when declared.

**Fix.** Open Google Cloud console › APIs & Services › OAuth consent screen (Audience page) of
the project that owns the client, and declare what it shows, e.g.
``consent_screen: {audience: internal, status: production}``.

Source: google-api-python-client's bundled discovery documents (no method reads the consent
screen); https://cloud.google.com/iap/docs/deprecations.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import (
    CONSENT_SCREEN,
    google_providers,
    oauth_plans_of_provider,
    targets_phrase,
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find Google providers with delegated OAuth targets and no declared consent screen."""
    for name, provider in google_providers(ctx):
        if provider.consent_screen is not None:
            continue
        plans = [
            p
            for p in oauth_plans_of_provider(ctx, name)
            if p.app is not None and p.app.flow == "delegated"
        ]
        if not plans:
            continue
        project = f" of project {provider.project_number}" if provider.project_number else ""
        yield ctx.finding(
            RULE,
            f"provider {name} declares no consent_screen: its audience and publishing status, "
            "which no Google API exposes, decide whether "
            f"{targets_phrase(p.name for p in plans)} keep working",
            ("providers", name),
            fix=f"read {CONSENT_SCREEN}{project} and declare it, e.g. "
            "`consent_screen: {audience: internal, status: production}`",
            object=ObjectRef.provider(name),
            at_key=True,
        )


RULE = Rule.define(
    __doc__,
    id="google-consent-screen-undeclared",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=((Severity.INFO, "no API exposes it: declare it to have it checked"),),
)
