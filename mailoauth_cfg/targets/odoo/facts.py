"""Odoo (15 or later): outgoing / incoming mail servers with Outlook or Gmail OAuth."""

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
    RedirectPattern,
    Setting,
    SingleToken,
    TargetFacts,
    VersionFacts,
    VersionRequirement,
    frozen_map,
    mail_permissions,
)

SMTP_ENCRYPTION = Setting(
    "ir.mail_server.smtp_encryption",
    Equals("starttls"),
    message="Odoo enforces STARTTLS (and an empty smtp_pass) with OAuth",
    source=src.ODOO_OUTLOOK,
    protocol="smtp",
)
OUTLOOK = Setting(
    "ir.mail_server.smtp_authentication",
    Equals("outlook"),
    message="the microsoft_outlook module authenticates the server",
    source=src.ODOO_OUTLOOK,
    provider="microsoft",
)
GMAIL = Setting(
    "ir.mail_server.smtp_authentication",
    Equals("gmail"),
    message="the google_gmail module authenticates the server",
    source=src.ODOO_GMAIL,
    provider="google",
)

VERSIONS = VersionFacts(
    product="Odoo",
    format=DOTTED,
    requirements=(
        VersionRequirement(
            since="15",
            feature="the microsoft_outlook / google_gmail OAuth modules",
            source=f"{src.ODOO_OUTLOOK}; {src.ODOO_GMAIL}",
        ),
    ),
)

FACTS = TargetFacts(
    display_name="Odoo (microsoft_outlook / google_gmail modules)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=RedirectPattern(
            template="{base}/microsoft_outlook/confirm",
            reason="<web.base.url>/microsoft_outlook/confirm.",
            source=src.ODOO_OUTLOOK,
        ),
        bootstrap="in-app-consent",
        permissions=mail_permissions("smtp", "imap"),
        tenant_setting=(
            "system parameter microsoft_outlook.endpoint = "
            "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/"
        ),
        source=src.ODOO_OUTLOOK,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap"),
        client_type="web",
        redirect=RedirectPattern(
            template="{base}/google_gmail/confirm",
            reason="<web.base.url>/google_gmail/confirm.",
            source=src.ODOO_GMAIL,
        ),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.ODOO_GMAIL,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=True,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=True,
    primary_address_required=False,
    sign_in_account=MAILBOX_OWNER,
    ui_path=(
        "Settings › General Settings: Outlook / Gmail client ID and secret; Settings › "
        "Technical › Outgoing Mail Servers (and Incoming for fetchmail): authentication "
        "Outlook or Gmail, save, Connect (menu path partly inferred)"
    ),
    source=src.ODOO_OUTLOOK,
    web_application=True,
    single_token=SingleToken(
        "declare one odoo target per mailbox, each with its own `server_name`"
    ),
    settings=(SMTP_ENCRYPTION, OUTLOOK, GMAIL),
    versions=VERSIONS,
    notes=(
        "from_filter is set to smtp_user: mail is sent only as the token owner.",
        "refresh_token is a plain Char field settable through XML-RPC or odoo shell, so "
        "injecting a token obtained elsewhere looks possible (inference).",
        "Microsoft: smtp_host is auto-filled with smtp.outlook.com.",
    ),
    holds=frozen_map(
        {
            "authority": "microsoft_outlook.endpoint",
        }
    ),
)
