"""Open Bee Portal: custom SMTP with OAuth2 for Microsoft 365, an app password for Google."""

from __future__ import annotations

from types import MappingProxyType

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.targets._facts import (
    APP_DATABASE,
    DOTTED,
    GoogleProfile,
    MicrosoftProfile,
    RedirectPattern,
    SingleToken,
    TargetFacts,
    VersionFacts,
    VersionRequirement,
    frozen_map,
)

VERSIONS = VersionFacts(
    product="Open Bee Portal",
    format=DOTTED,
    requirements=(
        VersionRequirement(
            since="6.10.3",
            feature="the Office 365 and G Suite SMTP configuration (OAuth2, app password)",
            source=src.OPENBEE_SMTP,
        ),
    ),
)

FACTS = TargetFacts(
    display_name="Open Bee Portal",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="web",
        redirect=RedirectPattern(
            template=None,
            reason=(
                "https://<portal domain>/<path>: the exact path appears only in a screenshot of "
                "the Open Bee doc, so the redirect URI must be declared explicitly."
            ),
            source=src.OPENBEE_SMTP,
            user_supplied=True,
        ),
        bootstrap="in-app-consent",
        # the registration Open Bee documents: five delegated Graph permissions, admin
        # consent, no offline_access (seed 004); SMTP.Send is the one sending needs
        permissions=MappingProxyType({"smtp": ("SMTP.Send",)}),
        documented_permissions=(
            "Mail.Send",
            "User.Read.All",
            "SMTP.Send",
            "Mail.ReadWrite",
            "User.Read",
        ),
        allowed_over_privileged=("Mail.ReadWrite", "User.Read.All"),
        admin_consent_required=True,
        tenant_common_ok=False,
        tenant_setting="Tenant ID",
        source=src.OPENBEE_SMTP,
    ),
    google=GoogleProfile(
        auth="app-password",
        protocols=("smtp",),
        client_type=None,
        redirect=RedirectPattern(
            template=None,
            reason="Google: app password only (no OAuth); needs 2-Step Verification.",
            source=src.OPENBEE_SMTP,
            must_register=False,
        ),
        bootstrap="none",
        scopes=(),
        source=src.OPENBEE_SMTP,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=True,
    primary_address_required=True,
    sign_in_account=(
        "the mailbox whose primary address is the sender (the doc says 'the user who generated "
        "the client secret'; what counts is who signs in to the popup)"
    ),
    ui_path="Administration › General Configuration › custom SMTP › method OAuth2",
    source=src.OPENBEE_SMTP,
    web_application=True,
    single_token=SingleToken("Open Bee sends as one account: keep one mailbox"),
    versions=VERSIONS,
    notes=(
        "The doc asks to verify that all 5 Graph delegated permissions show 'Granted' (the 5th "
        "is presumably the default User.Read); single-tenant app ('Accounts in an "
        "Organization Directory').",
        "Open Bee notifies the admin 1 month before the declared secret expiry; it suggests a "
        "2-year secret instead of the 6-month default.",
        "An error during the consent popup is reported to 'crash' the application; test by "
        "sharing a document.",
        "Mailbox needs an Exchange Online licence, its primary address (no alias, no shared "
        "mailbox) and SmtpClientAuthenticationDisabled=false.",
        "Google: smtp.gmail.com:587 TLS, user = Gmail address, password = app password.",
    ),
    holds=frozen_map(
        {
            "tenant": "Tenant ID",
            "secret_expiry": "Client secret expiration date",
        }
    ),
)
