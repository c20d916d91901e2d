"""``type: dolibarr``: the YAML of a Dolibarr target."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import Email, StrictModel, Text
from mailoauth_cfg.targets._model import (
    LoginAccount,
    Scope,
    TargetModel,
    TenantSetting,
    Url,
    Version,
)
from mailoauth_cfg.targets.dolibarr.facts import VERSIONS

DolibarrContext = Literal["main", "emailing", "ticket", "passwordreset"]
_MAIN_ONLY: list[DolibarrContext] = ["main"]


class DolibarrCollector(StrictModel):
    """Dolibarr e-mail collector (IMAP) row."""

    source_directory: Text = "INBOX"
    """IMAP folder to read."""
    target_directory: Text | None = None
    """Folder to move processed mail to."""
    ref: Text = "oauth-collector"
    """Collector reference (``ref`` column)."""


class DolibarrTarget(TargetModel):
    """Dolibarr ERP/CRM, core OAuth module (one OAuth service per mailbox)."""

    type: Literal["dolibarr"]
    url: Url
    """``$dolibarr_main_url_root``: the public URL users open (https)."""
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)]
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
    scopes: list[Scope] | None = None
    """``OAUTH_<PROV>-<label>_SCOPE``: the ticked scopes, as Dolibarr writes them (Google's short
    names such as ``gmail_full``; Microsoft's literal scopes). Omitted: what the protocols
    need among those the provider class offers."""
    tenant: TenantSetting | None = None
    """``OAUTH_<PROV>-<label>_TENANT``. Omitted: the provider's tenant."""
    accounts: dict[Email, LoginAccount] | None = None
    """Per mailbox: ``MAIN_MAIL_SMTPS_ID`` (``login``) and who signed in on the Token Manager."""
