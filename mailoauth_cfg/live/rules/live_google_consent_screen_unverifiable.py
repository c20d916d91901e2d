"""No Google API exposes the OAuth consent screen: its audience and status must be checked by hand.

**What.** For every Google provider whose targets sign in with a delegated OAuth client, a
finding of status ``unknown`` names the project(s) of the clients, what the provider declares
(``consent_screen``) and the console page that shows the audience (Internal/External) and the
publishing status (Testing/In production). It is never a pass.

**Why.** An External consent screen in *Testing* issues refresh tokens that expire after 7 days
for the Gmail scope, and an Internal one refuses accounts outside the organisation. No Google
API reads either setting: the IAP OAuth Admin API, the only one that showed part of it, was
shut down on 2026-03-19.

**Fix.** Open Google Cloud console › APIs & Services › OAuth consent screen (Google Auth
Platform › Audience) of each project and compare with ``consent_screen``. Once checked, attest
it next to the object with a reason and an expiry (``suppress: [{rule:
live-google-consent-screen-unverifiable, reason: "checked in the console", expires: ...}]``):
the finding is then reported as suppressed, and comes back when the attestation expires.

Source: https://support.google.com/cloud/answer/15549945;
https://developers.google.com/identity/protocols/oauth2 (refresh token expiration)."""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.google.needs import oauth_grants, project_of
from mailoauth_cfg.live.rules._google import (
    CONSENT_CONSOLE,
    FAMILY,
    google_providers,
    plans,
    unverifiable,
)
from mailoauth_cfg.model import GoogleProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def _status(status: str | None) -> str:
    """The portal's words for a declared publishing status."""
    return {"production": "In production", "testing": "Testing"}.get(status or "", "as set")


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """One ``unknown`` per Google provider with delegated OAuth targets."""
    for name, domain in google_providers(ctx):
        provider = ctx.provider(name)
        if not isinstance(provider, GoogleProvider):
            continue
        clients = sorted({c for grants in oauth_grants(plans(ctx), name).values() for c in grants})
        if not clients:
            continue
        domain.unexposed("consent_screen", name)
        numbers = sorted({p for p in (project_of(c) for c in clients) if p})
        if not numbers and provider.project_number:
            numbers = [provider.project_number]
        where = f" of project{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"
        declared = provider.consent_screen
        if declared is None:
            expect = (
                "nothing is declared (an External screen in Testing expires refresh tokens "
                "after 7 days)"
            )
        else:
            expect = (
                f"it must show audience {(declared.audience or 'as declared').capitalize()} and "
                f"publishing status {_status(declared.status)}"
            )
        yield unverifiable(
            ctx,
            RULE,
            f"no Google API exposes the OAuth consent screen{where if numbers else ''} used by "
            f"provider {name}: check it by hand; {expect}",
            ("providers", name, "consent_screen") if declared else ("providers", name),
            fix=f"{CONSENT_CONSOLE}{where if numbers else ''}",
            object=ObjectRef.provider(name),
        )


RULE = Rule.define(
    __doc__,
    id="live-google-consent-screen-unverifiable",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("consent_screen",),
    impacts=((Severity.WARNING, "a Testing screen expires tokens after 7 days (checked by hand)"),),
)
