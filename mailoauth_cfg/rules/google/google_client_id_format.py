"""A Google app's client ID is not in the form Google issues.

**What.** ``apps.<name>.client_id`` of an app registered in a Google provider is not
``<project number>-<letters and digits>.apps.googleusercontent.com``, the form of every OAuth
client ID Google issues. For ``flow: app-only`` (a service account with domain-wide delegation)
the expected value is the service account's numeric client ID instead (the *Unique ID*, about
21 digits), which is what the domain-wide delegation allow-list holds.

**Why.** Google rejects an unknown client ID before anyone can sign in ("Error 401:
invalid_client, The OAuth client was not found"), so the target's consent button fails. The
usual slips are a Microsoft GUID pasted into a Google app, the project ID or number alone, the
suffix cut off, or the client secret pasted in the wrong field. Domain-wide delegation
authorises a service account's numeric ID, never an OAuth client ID or a service-account
e-mail.

**Fix.** Copy the *Client ID* from Google Cloud console › APIs & Services › Credentials ›
OAuth 2.0 Client IDs › <client>. For a service account: IAM & Admin › Service accounts ›
<account> › Details › *Unique ID*.

Source: https://developers.google.com/identity/protocols/oauth2 (client IDs);
https://developers.google.com/identity/protocols/oauth2/service-account (domain-wide
delegation); the model documentation of ``apps.client_id``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import CREDENTIALS, google_app_plans

CLIENT_ID_RE = re.compile(r"^([0-9]+)-([A-Za-z0-9]+)\.apps\.googleusercontent\.com$")
"""An OAuth client ID; group 1 is the project number."""
SERVICE_ACCOUNT_ID_RE = re.compile(r"^[0-9]{6,30}$")
"""A service account's numeric client ID (Unique ID)."""
_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def _hint(value: str) -> str:
    """Why the value is probably not a Google client ID."""
    if value != value.strip():
        return "it has leading or trailing spaces"
    if _GUID_RE.fullmatch(value):
        return "it is a GUID, the form of a Microsoft application (client) ID"
    if value.endswith(".iam.gserviceaccount.com"):
        return "it is a service account's e-mail address"
    if SERVICE_ACCOUNT_ID_RE.fullmatch(value):
        return "it is only a number (a project number or a service account's Unique ID)"
    if value.startswith("GOCSPX-"):
        return "it looks like a client secret (GOCSPX-...), not a client ID"
    if "googleusercontent" not in value:
        return "the suffix .apps.googleusercontent.com is missing"
    return "it does not match <digits>-<letters and digits>.apps.googleusercontent.com"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the shape of each Google app's client ID."""
    for plan in google_app_plans(ctx):
        value = plan.app.client_id
        path = ("apps", plan.name, "client_id")
        if plan.app.flow == "app-only":
            if SERVICE_ACCOUNT_ID_RE.fullmatch(value):
                continue
            hint = (
                "it is an OAuth client ID, which cannot act without a user"
                if CLIENT_ID_RE.fullmatch(value)
                else _hint(value)
            )
            yield ctx.finding(
                RULE,
                f"app {plan.name} uses domain-wide delegation (flow: app-only) but its client_id "
                f"{value!r} is not a service account's numeric client ID: {hint}",
                path,
                fix="set `client_id:` to the service account's Unique ID (IAM & Admin › Service "
                "accounts › <account> › Details), e.g. 113456789012345678901",
                object=plan.object,
            )
            continue
        if CLIENT_ID_RE.fullmatch(value):
            continue
        yield ctx.finding(
            RULE,
            f"client_id {value!r} of Google app {plan.name} is not a Google OAuth client ID: "
            f"{_hint(value)}; Google answers 'Error 401: invalid_client'",
            path,
            fix=f"copy the Client ID from {CREDENTIALS} › OAuth 2.0 Client IDs › <client>: "
            "<project number>-<id>.apps.googleusercontent.com",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="google-client-id-format",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=((Severity.ERROR, "Google rejects the client ID (invalid_client)"),),
)
