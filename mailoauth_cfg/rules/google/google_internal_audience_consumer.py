"""An Internal consent screen is declared for consumer (gmail.com) accounts.

**What.** A Google provider declares ``account: consumer`` and
``consent_screen: {audience: internal}``.

**Why.** The *Internal* audience exists only for projects that belong to a Google Workspace (or
Cloud Identity) organisation and lets only that organisation's accounts sign in. Consumer
accounts belong to no organisation: either the declaration is wrong, or every sign-in fails
with ``Error 403: org_internal`` ("This client is restricted to users within its
organization").

**Fix.** For gmail.com accounts the consent screen must be External: set
``audience: external`` and publish it (Google Cloud console › APIs & Services › OAuth consent
screen › Publish app, ``status: production``). If the mailboxes are in fact Workspace accounts,
set ``account: workspace`` and ``domain:``.

Source: https://support.google.com/cloud/answer/15549945 (user type); model documentation of
``providers.<name>.consent_screen.audience``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import CONSENT_SCREEN, google_providers


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find consumer providers with an Internal consent screen."""
    for name, provider in google_providers(ctx):
        screen = provider.consent_screen
        if provider.account != "consumer" or screen is None or screen.audience != "internal":
            continue
        yield ctx.finding(
            RULE,
            f"provider {name} is for consumer accounts but declares an Internal consent screen: "
            "Internal needs a Workspace organisation and admits only its accounts "
            "(Error 403: org_internal)",
            ("providers", name, "consent_screen", "audience"),
            fix=f"set `audience: external` and `status: production` ({CONSENT_SCREEN} › "
            "Publish app), or `account: workspace` if the mailboxes are Workspace accounts",
            object=ObjectRef.provider(name),
        )


RULE = Rule.define(
    __doc__,
    id="google-internal-audience-consumer",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (Severity.ERROR, "consumer accounts cannot sign in to an Internal app (org_internal)"),
    ),
)
