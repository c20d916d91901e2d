"""WaveSoft CRM: a Windows desktop client; each user consents on their own PC."""

from __future__ import annotations

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.targets._facts import (
    APP_DATABASE,
    DOTTED,
    GOOGLE_DESKTOP_LOOPBACK,
    MAILBOX_OWNER,
    GoogleProfile,
    MicrosoftProfile,
    RedirectPattern,
    TargetFacts,
    VersionFacts,
    VersionRequirement,
    frozen_map,
    mail_permissions,
)

LOOPBACK_PORT = 3017
"""The port the CRM listens on, on each user's PC, for the consent's redirect (FTC030)."""
LOOPBACK_URI = f"http://localhost:{LOOPBACK_PORT}/"

VERSIONS = VersionFacts(
    product="WaveSoft",
    format=DOTTED,
    requirements=(
        VersionRequirement(
            since="23.02.05",
            feature="the OAuth2 mail authentication of technical sheet FTC030",
            source=src.WAVESOFT_FTC030,
            verified=False,
        ),
    ),
)
"""FTC030 documents V23.02.05; earlier versions are assumed to lack OAuth2 (unverified)."""

FACTS = TargetFacts(
    display_name="WaveSoft CRM (Windows desktop client)",
    microsoft=MicrosoftProfile(
        protocols=("imap", "smtp"),
        platform="web",
        redirect=RedirectPattern(
            template=LOOPBACK_URI,
            reason="Fixed loopback redirect on each user's PC (platform Web, http allowed).",
            source=src.WAVESOFT_FTC030,
        ),
        bootstrap="in-app-consent",
        permissions=mail_permissions("imap", "smtp"),
        documented_permissions=(
            "IMAP.AccessAsUser.All",
            "offline_access",
            "openid",
            "profile",
            "User.Read",
            "POP.AccessAsUser.All",
            "SMTP.Send",
        ),
        tenant_setting=(
            "URL Authentification / URL Jeton (v2 authorize/token URLs carry the tenant)"
        ),
        source=src.WAVESOFT_FTC030,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("imap", "smtp"),
        client_type="desktop",
        redirect=RedirectPattern(
            template=None,
            reason=GOOGLE_DESKTOP_LOOPBACK,
            source=src.WAVESOFT_FTC030,
            must_register=False,
        ),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.WAVESOFT_FTC030,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=MAILBOX_OWNER,
    ui_path=(
        "Dossier › Préférences dossier › tab 'Authentifications' (Service 'Mail Office 365' or "
        "'Gmail'); then per user: mail account with incoming server IMAP, tick "
        "'Authentification OAuth2', save, click the authenticate button"
    ),
    source=src.WAVESOFT_FTC030,
    web_application=False,
    interactive_renewal=True,
    versions=VERSIONS,
    notes=(
        "FTC030 offers OAuth2 for receiving (IMAP) and sending (SMTP) mail (first paragraph; "
        "SMTP.Send in its permission list); its permission list also names POP.",
        "The consent runs on each user's PC; the Windows firewall may need an exception for "
        f"the CRM's loopback port {LOOPBACK_PORT}.",
        "Google: client type 'Application de bureau'; enable the Gmail API.",
    ),
    holds=frozen_map(
        {
            "authorize_endpoint": "URL Authentification",
            "token_endpoint": "URL Jeton",
        }
    ),
)
