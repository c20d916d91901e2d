"""GLPI (10.0.x / 11): notifications through SMTP + OAuth."""

from __future__ import annotations

from types import MappingProxyType

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.targets._facts import (
    APP_DATABASE,
    DOTTED,
    MAILBOX_OWNER,
    Equals,
    GoogleProfile,
    MicrosoftProfile,
    RedirectPattern,
    Setting,
    SingleToken,
    TargetFacts,
    VersionFacts,
    VersionRequirement,
    frozen_map,
)

SMTP_MODE = Setting(
    "smtp_mode",
    Equals(4),
    message="4 is MAIL_SMTPOAUTH, the SMTP + OAuth mode",
    source=src.GLPI_CONSTANTS,
    protocol="smtp",
)
NOTIFICATIONS = Setting(
    "use_notifications",
    Equals(1),
    message="GLPI sends no notification at all while notifications are off",
    source=src.GLPI_NOTIFICATIONS,
    protocol="smtp",
)
MAIL_NOTIFICATIONS = Setting(
    "notifications_mailing",
    Equals(1),
    message="e-mail notifications are off until enabled",
    source=src.GLPI_NOTIFICATIONS,
    protocol="smtp",
)
AZURE = Setting(
    "smtp_oauth_provider",
    Equals("Glpi\\Mail\\SMTP\\OauthProvider\\Azure"),
    message="the OAuth provider class for Microsoft (Azure)",
    source=src.GLPI_OAUTH_CONFIG,
    provider="microsoft",
    protocol="smtp",
)
GOOGLE = Setting(
    "smtp_oauth_provider",
    Equals("Glpi\\Mail\\SMTP\\OauthProvider\\Google"),
    message="the OAuth provider class for Google",
    source=src.GLPI_OAUTH_CONFIG,
    provider="google",
    protocol="smtp",
)

VERSIONS = VersionFacts(
    product="GLPI",
    format=DOTTED,
    requirements=(
        VersionRequirement(
            since="10.0",
            feature="the SMTP + OAuth notification mode",
            source=src.GLPI_OAUTH_CONFIG,
        ),
    ),
)

_REDIRECT = RedirectPattern(
    template="{base}/front/smtp_oauth2_callback.php",
    reason="<url_base>/front/smtp_oauth2_callback.php (SMTP notifications).",
    source=src.GLPI_OAUTH_CONFIG,
)

FACTS = TargetFacts(
    display_name="GLPI (10.0.x / 11)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=_REDIRECT,
        bootstrap="in-app-consent",
        permissions=MappingProxyType(
            {
                "smtp": ("SMTP.Send", "offline_access", "openid", "email"),
                "imap": ("IMAP.AccessAsUser.All", "offline_access", "openid", "email"),
            }
        ),
        tenant_setting='smtp_oauth_options = {"tenant": "<tenant id>"}',
        source=src.GLPI_OAUTH_CONFIG,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="web",
        redirect=_REDIRECT,
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.GLPI_OAUTH_CONFIG,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=MAILBOX_OWNER,
    ui_path=(
        "Setup › Notifications › Email followups configuration: SMTP+OAuth mode, provider "
        "Azure or Google, client ID/secret, tenant; saving redirects to the consent screen "
        "(menu path inferred)"
    ),
    source=src.GLPI_OAUTH_CONFIG,
    web_application=True,
    single_token=SingleToken("GLPI notifications use one smtp_username: keep one mailbox"),
    settings=(NOTIFICATIONS, MAIL_NOTIFICATIONS, SMTP_MODE, AZURE, GOOGLE),
    versions=VERSIONS,
    notes=(
        "Secured keys are GLPIKey-encrypted; whether 'bin/console config:set' encrypts them is "
        "unverified, so set the secret through the UI.",
        "Microsoft: SMTP uses prompt=login; the callback of IMAP mail collectors is not in the "
        "cited source, the SMTP one is assumed.",
    ),
    holds=frozen_map(
        {
            "tenant": "smtp_oauth_options tenant",
            "accounts.login": "smtp_username",
            "accounts.sign_in_as": "the account that signed in at the consent",
        }
    ),
)
