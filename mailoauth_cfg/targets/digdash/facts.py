"""DigDash Enterprise: OAuth server parameters, then the Email server uses them."""

from __future__ import annotations

import re

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.targets._facts import (
    APP_DATABASE,
    DOTTED,
    GoogleProfile,
    MicrosoftProfile,
    RedirectPattern,
    SingleToken,
    TargetFacts,
    VersionFacts,
    VersionFormat,
    frozen_map,
    mail_permissions,
)

_RELEASE = re.compile(r"([0-9]{4})[Rr]([0-9]+)")


def release_key(version: str) -> tuple[int, ...]:
    """``2025R2`` → ``(2025, 2)``; older dotted versions as dotted numbers."""
    found = _RELEASE.fullmatch(version)
    if found is None:
        return DOTTED.key(version)
    return int(found.group(1)), int(found.group(2))


VERSIONS = VersionFacts(
    product="DigDash",
    format=VersionFormat(
        pattern=rf"{_RELEASE.pattern}|{DOTTED.pattern}",
        example="2025R2",
        key=release_key,
    ),
)
"""DigDash names its releases ``<year>R<n>`` (the OAuth doc is the dd2025r2 one)."""

_REDIRECT = RedirectPattern(
    template="{base}/ddenterpriseapi/v2/oauth/redirect",
    reason=(
        "http(s)://<host>:<port>/ddenterpriseapi/v2/oauth/redirect; Entra allows http only for "
        "localhost, so production needs the public https URL."
    ),
    source=src.DIGDASH_OAUTH,
)

FACTS = TargetFacts(
    display_name="DigDash Enterprise",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="web",
        redirect=_REDIRECT,
        bootstrap="in-app-consent",
        permissions=mail_permissions("smtp"),
        documented_permissions=("User.Read", "Mail.Read"),
        tenant_setting="Tenant field of the OAuth parameters",
        source=src.DIGDASH_OAUTH,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="web",
        redirect=_REDIRECT,
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.DIGDASH_OAUTH,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account="the account that becomes the SMTP identity (inference)",
    ui_path=(
        "Configuration › Server Parameters › Additional Parameters › OAuth; then the Email "
        "server settings use it (the refresh token fills in after the first consent)"
    ),
    source=src.DIGDASH_OAUTH,
    web_application=True,
    single_token=SingleToken("DigDash holds one SMTP identity: keep one mailbox"),
    versions=VERSIONS,
    notes=(
        "The doc only says 'e.g. User.Read, Mail.Read'; SMTP.Send + offline_access is an "
        "inference. The requested scope string is not documented.",
        "The 'Email server' page of the DigDash doc was not found.",
    ),
    holds=frozen_map(
        {
            "tenant": "Tenant",
            "redirect_uri": "Authorized redirect URI",
        }
    ),
)
