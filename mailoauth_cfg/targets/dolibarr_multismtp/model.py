"""``type: dolibarr-multismtp``: the YAML of a Dolibarr target with the MultiSMTP module."""

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import Email, Text, new_dict
from mailoauth_cfg.targets._model import EntryAccount, TargetModel, TenantSetting, Url, Version
from mailoauth_cfg.targets.dolibarr_multismtp.facts import VERSIONS


class MultismtpTarget(TargetModel):
    """Dolibarr with the MultiSMTP module: one SMTP/IMAP identity and token per user."""

    MAILBOX_KEYED: ClassVar[tuple[str, ...]] = ("user_ids",)

    type: Literal["dolibarr-multismtp"]
    url: Url
    """``$dolibarr_main_url_root``."""
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)]
    """Dolibarr version (OAuth IMAP needs 22 or later)."""
    user_ids: dict[Email, Annotated[int, Field(ge=1)]] = Field(default_factory=new_dict)
    """Dolibarr user id (``llx_user.rowid``) of each mailbox, by e-mail."""
    entity: Annotated[int, Field(ge=1)] = 1
    """Dolibarr entity."""
    imap_folder: Text = "Sent"
    """IMAP folder that receives a copy of sent mail (when ``imap`` is used)."""
    cron_refresh_days: Annotated[int, Field(ge=1, le=365)] = 30
    """``MULTISMTP_CRON_REFRESH_TOKEN_DAYS``."""
    tenant: TenantSetting | None = None
    """``OAUTH_<PROV>-<label>_TENANT`` of the users' entries. Omitted: the provider's tenant."""
    accounts: dict[Email, EntryAccount] | None = None
    """Per mailbox: the core OAuth service (``entry``: its label) selected on the user's Email
    tab, its ticked scopes, ``smtp_id`` (``login``) and who signed in. Omitted entries are one
    per mailbox."""
