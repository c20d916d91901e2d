"""``targets:``: the applications to configure, one model per application type."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mailoauth_cfg.model._base import (
    CommandLine,
    Email,
    Endpoint,
    Host,
    Name,
    PathText,
    SecretRef,
    StrictModel,
    Suppressions,
    Text,
    Uri,
    Url,
    UrlPath,
    Version,
)
from mailoauth_cfg.model.users import Protocol

_SMTP_ONLY: list[Protocol] = ["smtp"]
DolibarrContext = Literal["main", "emailing", "ticket", "passwordreset"]
_MAIN_ONLY: list[DolibarrContext] = ["main"]


class _Target(StrictModel):
    app: Name | None = None
    """Name of the app registration / OAuth client (``apps:``) the target uses."""
    users: list[Email] = Field(default_factory=list)
    """Mailboxes (``users:`` e-mails) the target sends or reads as."""
    protocols: list[Protocol] = Field(default_factory=lambda: _SMTP_ONLY.copy())
    """Protocols the target uses: ``smtp`` to send, ``imap``/``pop`` to read."""
    auth: Literal["oauth2", "password", "app-password"] = "oauth2"
    """How the target authenticates today: ``oauth2`` (the goal), ``password`` (legacy basic
    auth still in use, tracked until it is migrated) or ``app-password`` (Google only)."""
    description: Text | None = None
    """Free text shown in rendered runbooks."""
    suppress: Suppressions


class DolibarrCollector(StrictModel):
    """Dolibarr e-mail collector (IMAP) row."""

    source_directory: Text = "INBOX"
    """IMAP folder to read."""
    target_directory: Text | None = None
    """Folder to move processed mail to."""
    ref: Text = "oauth-collector"
    """Collector reference (``ref`` column)."""


class DolibarrTarget(_Target):
    """Dolibarr ERP/CRM, core OAuth module (one OAuth service per mailbox)."""

    type: Literal["dolibarr"]
    url: Url
    """``$dolibarr_main_url_root``: the public URL users open (https)."""
    version: Version
    """Dolibarr version (MICROSOFT3 needs 23 or later)."""
    oauth_provider: (
        Literal["GOOGLE", "MICROSOFT", "MICROSOFT2", "MICROSOFT3", "MICROSOFTAPP"] | None
    ) = None
    """OAuth provider entry; omitted: MICROSOFT3 on 23+, MICROSOFT before, GOOGLE for Google."""
    label: Text = "Emails"
    """Label of the OAuth service entry (``OAUTH_<PROV>-<label>_*``)."""
    entity: Annotated[int, Field(ge=1)] = 1
    """Dolibarr entity (multi-company)."""
    contexts: list[DolibarrContext] = Field(default_factory=lambda: _MAIN_ONLY.copy())
    """Sending contexts to switch to OAuth (``MAIN_MAIL_*`` and its ``_EMAILING``... variants)."""
    sender: Email | None = None
    """``MAIN_MAIL_EMAIL_FROM``; omitted: the mailbox itself."""
    force_prompt: Literal["select_account", "consent", "none"] | None = None
    """``OAUTH_MICROSOFT3_FORCE_PROMPT`` (``none`` omits the parameter)."""
    collector: DolibarrCollector | None = None
    """E-mail collector (used when ``imap`` is in ``protocols``)."""


class MultismtpTarget(_Target):
    """Dolibarr with the MultiSMTP module: one SMTP/IMAP identity and token per user."""

    type: Literal["dolibarr-multismtp"]
    url: Url
    """``$dolibarr_main_url_root``."""
    version: Version
    """Dolibarr version (OAuth IMAP needs 22 or later)."""
    user_ids: dict[Email, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    """Dolibarr user id (``llx_user.rowid``) of each mailbox, by e-mail."""
    entity: Annotated[int, Field(ge=1)] = 1
    """Dolibarr entity."""
    imap_folder: Text = "Sent"
    """IMAP folder that receives a copy of sent mail (when ``imap`` is used)."""
    cron_refresh_days: Annotated[int, Field(ge=1, le=365)] = 30
    """``MULTISMTP_CRON_REFRESH_TOKEN_DAYS``."""


class DigdashTarget(_Target):
    """DigDash Enterprise (server parameters › OAuth, then Email server)."""

    type: Literal["digdash"]
    url: Url
    """Base URL of the DigDash server (``http(s)://host:port``)."""
    version: Version | None = None
    """DigDash release, e.g. 2025R2 (informative)."""


class WavesoftTarget(_Target):
    """WaveSoft CRM (Windows desktop client, consent on each user's PC)."""

    type: Literal["wavesoft"]
    version: Version | None = None
    """WaveSoft version (the fiche technique FTC030 covers V23.02)."""
    folder: Text | None = None
    """WaveSoft "dossier" whose preferences hold the OAuth settings."""


class OpenbeeTarget(_Target):
    """Open Bee Portal (custom SMTP with OAuth2 for Microsoft 365; app password for Google)."""

    type: Literal["openbee"]
    url: Url
    """Portal URL (e.g. https://entreprise.openbeecloud.com)."""
    redirect_path: UrlPath | None = None
    """Path of the OAuth callback as shown on the portal's configuration page."""
    sender: Email | None = None
    """Sender address; must equal the mailbox that signs in."""
    app_password: SecretRef | None = None
    """Google app password reference, when ``auth: app-password``."""


class PostfixTarget(_Target):
    """Postfix relaying through Microsoft 365 or Gmail with the sasl-xoauth2 plugin."""

    type: Literal["postfix-sasl-xoauth2"]
    postfix_dir: PathText = "/etc/postfix"
    """Postfix configuration directory."""
    config_file: PathText = "/etc/sasl-xoauth2.conf"
    """sasl-xoauth2 configuration file."""
    token_dir: PathText = "/etc/tokens"
    """Directory of the token files (as Postfix sees it)."""
    chroot: bool = True
    """Postfix ``smtp`` runs chrooted (Debian default): token files live under ``chroot_dir``."""
    chroot_dir: PathText = "/var/spool/postfix"
    """Postfix chroot directory."""
    relay: Endpoint | None = None
    """Relay host[:port] override, e.g. smtp-hve.office365.com:587."""
    refresh_window: Annotated[int, Field(ge=0, le=3600)] | None = None
    """Seconds before expiry at which sasl-xoauth2 refreshes (≥ 600 for the HVE endpoint)."""
    flow: Literal["device-code", "loopback"] | None = None
    """How the refresh token is obtained; omitted: device code (Microsoft), loopback (Google)."""


class MsmtpTarget(_Target):
    """msmtp (sendmail replacement) with ``passwordeval`` calling ``mailoauth-cfg token access``."""

    type: Literal["msmtp"]
    version: Version | None = None
    """Installed msmtp version (XOAUTH2 needs 1.8.13 or later)."""
    config_path: PathText = "/etc/mailoauth-cfg/mailoauth.yaml"
    """Where this config lives on the host, for ``passwordeval``."""
    command: CommandLine = "mailoauth-cfg"
    """Command that runs mailoauth-cfg on the host: words split as a shell splits them, without
    any expansion (``/opt/venv/bin/python -m mailoauth_cfg``); each is quoted again when
    rendered."""
    token_dir: PathText | None = None
    """Token store directory on the host; omitted: the tool's default."""
    logfile: PathText | None = None
    """msmtp ``logfile``."""


class EmailOauth2ProxyTarget(_Target):
    """email-oauth2-proxy: a local IMAP/POP/SMTP proxy that adds OAuth2 for legacy clients."""

    type: Literal["email-oauth2-proxy"]
    local_address: Host = "127.0.0.1"
    """Address the proxy listens on."""
    smtp_port: Annotated[int, Field(ge=1024, le=65535)] = 1587
    """Local SMTP port (``[SMTP-<port>]``)."""
    imap_port: Annotated[int, Field(ge=1024, le=65535)] = 1993
    """Local IMAP port (``[IMAP-<port>]``)."""
    pop_port: Annotated[int, Field(ge=1024, le=65535)] = 1995
    """Local POP port (``[POP-<port>]``)."""
    flow: Literal["authorization_code", "device", "client_credentials"] = "authorization_code"
    """``oauth2_flow`` for every account."""
    redirect_uri: Uri = "http://localhost"
    """Redirect URI the proxy sends (registered on the app)."""


class GlpiTarget(_Target):
    """GLPI (10.0.x/11) notifications through SMTP + OAuth."""

    type: Literal["glpi"]
    url: Url
    """GLPI ``url_base``."""
    version: Version | None = None
    """GLPI version (OAuth SMTP needs 10.0.0 or later)."""
    glpi_dir: PathText = "/var/www/glpi"
    """GLPI installation directory (for ``bin/console``)."""
    sender: Email | None = None
    """``from_email``; omitted: the mailbox."""


class OdooTarget(_Target):
    """Odoo (15 or later) outgoing/incoming mail servers with Outlook or Gmail OAuth."""

    type: Literal["odoo"]
    url: Url
    """``web.base.url``."""
    version: Version
    """Odoo major version (15 or later)."""
    database: Text = Field(examples=["odoo"])
    """Database name (for the XML-RPC script)."""
    server_name: Text = "OAuth mail"
    """Name of the ``ir.mail_server`` record."""


class NextcloudMailTarget(_Target):
    """Nextcloud Mail app with the Microsoft or Google integration."""

    type: Literal["nextcloud-mail"]
    url: Url
    """Nextcloud base URL."""
    index_php: bool = False
    """Nextcloud serves routes with ``/index.php/`` (no pretty URLs)."""
    version: Version | None = None
    """Mail app version."""


Target = Annotated[
    DolibarrTarget
    | MultismtpTarget
    | DigdashTarget
    | WavesoftTarget
    | OpenbeeTarget
    | PostfixTarget
    | MsmtpTarget
    | EmailOauth2ProxyTarget
    | GlpiTarget
    | OdooTarget
    | NextcloudMailTarget,
    Field(discriminator="type"),
]
TARGET_TYPES = (
    "dolibarr",
    "dolibarr-multismtp",
    "digdash",
    "wavesoft",
    "openbee",
    "postfix-sasl-xoauth2",
    "msmtp",
    "email-oauth2-proxy",
    "glpi",
    "odoo",
    "nextcloud-mail",
)
