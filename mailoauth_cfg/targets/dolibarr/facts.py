"""Dolibarr ERP/CRM, core OAuth module: what it needs and how it behaves."""

from __future__ import annotations

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import LEGACY_AUTH_URL, MAIL_SCOPE
from mailoauth_cfg.records import record
from mailoauth_cfg.targets._facts import (
    APP_DATABASE,
    DOTTED,
    MAILBOX_OWNER,
    Equals,
    GoogleProfile,
    MicrosoftProfile,
    OneOf,
    Pattern,
    ProviderType,
    RedirectPattern,
    Setting,
    SingleToken,
    TargetFacts,
    VersionFacts,
    VersionRequirement,
    flows,
    frozen_map,
    mail_permissions,
)

LABEL = Setting(
    "label",
    Pattern(r"^[A-Za-z0-9]+$", allowed="A-Za-z0-9", example="Emails"),
    message=(
        "the OAuth service form accepts letters and digits only, Dolibarr splits "
        "OAUTH_<PROV>-<label> on '-' and saving strips '_ID': use letters and digits"
    ),
    source=src.DOLIBARR_ADMIN_OAUTH,
    field="label",
)
"""The label of the OAuth service entry (``OAUTH_<PROV>-<label>_*``)."""

RESERVED_LABELS: tuple[str, ...] = ("Login",)
"""``Login`` is the Google SSO entry (``OAUTH_GOOGLE-Login_*``; source: the Dolibarr wiki)."""

SERVICE_NAME_MAX_LENGTH = 36
"""``llx_oauth_token.service`` is ``varchar(36)`` (source: ``llx_oauth_token.sql``)."""

SENDMODE = Setting(
    "MAIN_MAIL_SENDMODE",
    OneOf(("smtps", "swiftmailer")),
    message="PHP mail() cannot use OAuth: the sending method is smtps or swiftmailer",
    source=src.DOLIBARR_MAILS,
    protocol="smtp",
)
SMTP_AUTH_TYPE = Setting(
    "MAIN_MAIL_SMTPS_AUTH_TYPE",
    Equals("XOAUTH2"),
    message="Dolibarr's smtps method signs in with XOAUTH2 only when it is set",
    source=src.DOLIBARR_MAILS,
    protocol="smtp",
)
PHPIMAP = Setting(
    "MAIN_IMAP_USE_PHPIMAP",
    Equals("1"),
    message="the e-mail collector shows its OAuth fields only with the PHP-IMAP library",
    source=src.DOLIBARR_COLLECTOR,
    protocol="imap",
)
COLLECTOR_ACCESS = Setting(
    "acces_type",
    Equals(1),
    message="a collector row reads the mailbox with its OAuth token (1 = oauthToken)",
    source=src.DOLIBARR_COLLECTOR,
    protocol="imap",
)


def _redirect(provider: ProviderType) -> RedirectPattern:
    return RedirectPattern(
        template="{base}/core/modules/oauth/{callback}_oauthcallback.php",
        reason=(
            "$dolibarr_main_url_root + /core/modules/oauth/<callback>_oauthcallback.php; the "
            "callback follows the provider class (google, microsoft, microsoft2, microsoft3)."
        ),
        source=src.DOLIBARR_OAUTH_LIB,
        defaults=frozen_map({"callback": "microsoft3" if provider == "microsoft" else "google"}),
    )


MICROSOFT_REDIRECT = _redirect("microsoft")
GOOGLE_REDIRECT = _redirect("google")

VERSIONS = VersionFacts(product="Dolibarr", format=DOTTED)
"""Dolibarr's own versions; MICROSOFT3's minimum is a fact of its provider class."""

FORCE_PROMPT = VersionRequirement(
    since="25",
    feature=(
        "the OAUTH_MICROSOFT3_FORCE_PROMPT setting: before the fix of Dolibarr PR #40257 "
        "(merged September 2026), the MICROSOFT3 callback always sends prompt=consent"
    ),
    source=src.DOLIBARR_PR_FORCE_PROMPT,
    verified=False,
)
"""Which Dolibarr versions honour ``force_prompt``. Verified: 23.0 sends ``prompt=consent``
whatever the constant; the first release with the fix is inferred from the merge date (the
23.0 and 24.0 branches were cut before it). Not a requirement of ``target-version``: the
``dolibarr-force-prompt`` rule and the runbook read it."""

SMTP_MECHANISM_CONTEXT = "main"
"""Dolibarr chooses the SASL mechanism from the un-suffixed ``MAIN_MAIL_SMTPS_AUTH_TYPE`` only
(``core/class/smtps.class.php``), although host, port, login and token honour each context's
suffix: a context sends with XOAUTH2 only when the main setting says XOAUTH2 (source:
src.DOLIBARR_SMTPS)."""


@record
class PageLabels:
    """The words of Dolibarr's own pages (en_US), as runbooks must quote them."""

    module: str
    manager_tab: str
    get_button: str
    delete_button: str
    test_sending: str
    source: str

    def entry(self, display_name: str, label: str) -> str:
        """An entry as the Token Manager shows it: ``<provider display name> (<label>)``."""
        return f"{display_name} ({label})" if label else display_name


PAGES = PageLabels(
    module="OAuth2 token management",
    manager_tab="Token Manager",
    get_button="Get new Token",
    delete_button="Delete Token",
    test_sending="Test sending",
    source=f"{src.DOLIBARR_TOKEN_MANAGER}; {src.DOLIBARR_MAILS}",
)

FACTS = TargetFacts(
    display_name="Dolibarr ERP/CRM (core OAuth module)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=MICROSOFT_REDIRECT,
        bootstrap="in-app-consent",
        flow_settings=flows(
            in_app_consent="`oauth_provider: MICROSOFT3` (Dolibarr 23+)",
            client_credentials=(
                "`oauth_provider: MICROSOFTAPP` (its code comes from an unmerged Dolibarr pull "
                "request: check your version)"
            ),
        ),
        permissions=mail_permissions("smtp", "imap"),
        documented_permissions=(
            "email",
            "IMAP.AccessAsUser.All",
            "Mail.Read",
            "Mail.Send",
            "offline_access",
            "openid",
            "profile",
            "SMTP.Send",
        ),
        tenant_setting="OAUTH_<PROV>-<label>_TENANT",
        source=f"{src.DOLIBARR_MICROSOFT3}; {src.DOLIBARR_WIKI}",
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap"),
        client_type="web",
        redirect=GOOGLE_REDIRECT,
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE, "openid", "email"),
        source=f"{src.DOLIBARR_WIKI}; {src.DOLIBARR_OAUTH_LIB}",
        authorize_url=LEGACY_AUTH_URL,
    ),
    token_sink=APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=MAILBOX_OWNER,
    ui_path=(
        "Setup › Modules › OAuth2 token management (admin/oauth.php): add the entry and fill "
        "ID/secret/tenant/scopes; tab Token Manager (admin/oauthlogintokens.php?mode=setup) › "
        "Get new Token; Setup › Emails (admin/mails.php): MAIN_MAIL_SENDMODE=smtps, "
        "MAIN_MAIL_SMTPS_AUTH_TYPE=XOAUTH2, MAIN_MAIL_SMTPS_OAUTH_SERVICE=<PROV>-<label>, then "
        "Test sending"
    ),
    source=src.DOLIBARR_OAUTH_LIB,
    web_application=True,
    single_token=SingleToken(
        "declare one dolibarr target per mailbox, each with its own `label` (OAuth service "
        "entry), or use type dolibarr-multismtp"
    ),
    settings=(LABEL, SENDMODE, SMTP_AUTH_TYPE, PHPIMAP, COLLECTOR_ACCESS),
    versions=VERSIONS,
    notes=(
        "One OAuth service entry per mailbox ('un service OAuth = un utilisateur').",
        "Tokens are dolEncrypt(serialize(...)) in llx_oauth_token: a refresh token obtained "
        "elsewhere cannot practically be injected.",
        "Scopes are the ticked checkboxes (OAUTH_<PROV>-<label>_SCOPE); never tick Graph "
        "scopes next to Outlook scopes.",
        "Where user consent is disabled, grant admin consent first; OAUTH_MICROSOFT3_FORCE_PROMPT"
        "=select_account avoids the consent loop only with the fix of PR #40257 (before it "
        "MICROSOFT3 sends prompt=consent; issue #40004).",
        "The SASL mechanism comes from the main MAIN_MAIL_SMTPS_AUTH_TYPE only: a context other "
        "than main sends with XOAUTH2 only when main is XOAUTH2 too.",
        "Google: tick gmail_full and publish the consent screen to Production.",
    ),
    holds=frozen_map(
        {
            "scopes": "OAUTH_<PROV>-<label>_SCOPE",
            "tenant": "OAUTH_<PROV>-<label>_TENANT",
            "accounts.login": "MAIN_MAIL_SMTPS_ID",
            "accounts.sign_in_as": "the account that signed in on the Token Manager",
        }
    ),
)
