"""Dolibarr's MultiSMTP module (Open-DSI): a per-user SMTP/IMAP identity and token."""

from __future__ import annotations

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.targets._facts import (
    APP_DATABASE,
    DOTTED,
    MAILBOX_OWNER,
    Equals,
    GoogleProfile,
    MicrosoftProfile,
    Setting,
    TargetFacts,
    VersionFacts,
    VersionRequirement,
    frozen_map,
    mail_permissions,
)
from mailoauth_cfg.targets.dolibarr.facts import GOOGLE_REDIRECT, MICROSOFT_REDIRECT, PHPIMAP

SENDMODE = Setting(
    "MAIN_MAIL_SENDMODE",
    Equals("smtps"),
    message="MultiSMTP sends through Dolibarr's smtps method",
    source=src.MULTISMTP,
)
SMTP_ENABLED = Setting(
    "MULTISMTP_SMTP_ENABLED",
    Equals("1"),
    message="per-user SMTP is off until enabled",
    source=src.MULTISMTP,
    protocol="smtp",
)
ALLOW_CHANGESERVER = Setting(
    "MULTISMTP_ALLOW_CHANGESERVER",
    Equals("1"),
    message="OAuth on SMTP needs users to have their own server settings",
    source=src.MULTISMTP,
    protocol="smtp",
)
IMAP_ENABLED = Setting(
    "MULTISMTP_IMAP_ENABLED",
    Equals("1"),
    message="the IMAP copy of sent mail is off until enabled",
    source=src.MULTISMTP,
    protocol="imap",
)
SMTP_AUTH_TYPE = Setting(
    "smtp_auth_type",
    Equals("XOAUTH2"),
    message="each user's llx_user2smtp row signs in to SMTP with XOAUTH2",
    source=src.MULTISMTP,
    protocol="smtp",
)
IMAP_AUTH_TYPE = Setting(
    "imap_auth_type",
    Equals("XOAUTH2"),
    message="each user's llx_user2smtp row signs in to IMAP with XOAUTH2",
    source=src.MULTISMTP,
    protocol="imap",
)
CONSTANTS = (SENDMODE, SMTP_ENABLED, ALLOW_CHANGESERVER, IMAP_ENABLED, PHPIMAP)
"""The module's ``llx_const`` rows, in the order they are written."""

IMAP_OAUTH = VersionRequirement(
    since="22",
    feature="OAuth for the IMAP copy of sent mail",
    source=src.MULTISMTP,
    protocol="imap",
)
VERSIONS = VersionFacts(product="Dolibarr", format=DOTTED, requirements=(IMAP_OAUTH,))

FACTS = TargetFacts(
    display_name="Dolibarr MultiSMTP module (per-user SMTP/IMAP, Open-DSI)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=MICROSOFT_REDIRECT,
        bootstrap="in-app-consent",
        permissions=mail_permissions("smtp", "imap"),
        tenant_setting="OAUTH_<PROV>-<label>_TENANT, or llx_user2smtp.smtp_oauth_tenant",
        source=src.MULTISMTP,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap"),
        client_type="web",
        redirect=GOOGLE_REDIRECT,
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.MULTISMTP,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=MAILBOX_OWNER,
    ui_path=(
        "User card › Email tab (/multismtp/user.php?id=<user>) › Modify › authentication "
        "method UseOAuth; then generate the token from that tab"
    ),
    source=src.MULTISMTP,
    web_application=True,
    settings=(*CONSTANTS, SMTP_AUTH_TYPE, IMAP_AUTH_TYPE),
    versions=VERSIONS,
    notes=(
        "Per-user custom credentials (smtp_oauth_id/secret/tenant) are stored as token "
        "service <Provider>-MultiSmtpUser<userId><Smtp|Imap>; their redirect is assumed to be "
        "the core callback (unverified).",
        "Daily cron Multismtp::cronRefreshOAuth2Tokens is disabled by default "
        "(MULTISMTP_CRON_REFRESH_TOKEN_DAYS, default 30).",
        "One llx_user2smtp row per Dolibarr user.",
    ),
    holds=frozen_map(
        {
            "tenant": "OAUTH_<PROV>-<label>_TENANT",
            "accounts.entry": "the OAuth service selected on the Email tab (smtp_oauth_service)",
            "accounts.scopes": "OAUTH_<PROV>-<label>_SCOPE of that entry",
            "accounts.login": "smtp_id",
            "accounts.sign_in_as": "the account that signed in for the entry",
        }
    ),
)
