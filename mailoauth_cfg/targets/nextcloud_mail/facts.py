"""Nextcloud Mail with its Microsoft or Google integration."""

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
    TargetFacts,
    VersionFacts,
    frozen_map,
)

INDEX_PHP = "index-php"
"""The redirect variant of an instance without pretty URLs (``/index.php/apps/...``)."""

MICROSOFT_IMAP_HOST = Setting(
    "imap-host",
    Equals("outlook.office365.com"),
    message="the Microsoft integration applies only when the IMAP host is outlook.office365.com",
    source=src.NEXTCLOUD_MS,
    provider="microsoft",
)


def _redirect(name: str, source: str) -> RedirectPattern:
    return RedirectPattern(
        template=f"{{base}}/apps/mail/integration/{name}-auth",
        reason=f"<nc>/apps/mail/integration/{name}-auth (possibly with index.php/).",
        source=source,
        variants=frozen_map({INDEX_PHP: f"{{base}}/index.php/apps/mail/integration/{name}-auth"}),
    )


VERSIONS = VersionFacts(product="Nextcloud Mail", format=DOTTED)

_MS_PERMISSIONS = ("IMAP.AccessAsUser.All", "SMTP.Send", "offline_access")

FACTS = TargetFacts(
    display_name="Nextcloud Mail",
    microsoft=MicrosoftProfile(
        protocols=("imap", "smtp"),
        platform="web",
        redirect=_redirect("microsoft", src.NEXTCLOUD_MS),
        bootstrap="in-app-consent",
        permissions=MappingProxyType({"imap": _MS_PERMISSIONS, "smtp": _MS_PERMISSIONS}),
        tenant_setting="app config mail/microsoft_oauth_tenant_id",
        source=src.NEXTCLOUD_MS,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("imap", "smtp"),
        client_type="web",
        redirect=_redirect("google", src.NEXTCLOUD_GOOGLE),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.NEXTCLOUD_GOOGLE,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=MAILBOX_OWNER,
    ui_path=(
        "Administration settings › Groupware › Mail: Microsoft / Google integration (or POST "
        "/apps/mail/api/integration/microsoft as admin); then each user adds the account in "
        "Mail (IMAP host outlook.office365.com, auth xoauth2) and consents in the popup"
    ),
    source=src.NEXTCLOUD_MS,
    web_application=True,
    interactive_renewal=True,
    settings=(MICROSOFT_IMAP_HOST,),
    versions=VERSIONS,
    notes=(
        "Client secrets are stored encrypted (ICrypto): 'occ config:app:set' with a plain "
        "secret does not work; use the admin UI or the integration API.",
        "Microsoft: requests IMAP and SMTP scopes together with prompt=consent.",
    ),
    holds=frozen_map(
        {
            "tenant": "microsoft_oauth_tenant_id",
        }
    ),
)
