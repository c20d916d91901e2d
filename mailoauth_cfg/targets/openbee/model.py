"""``type: openbee``: the YAML of an Open Bee Portal target."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator

from mailoauth_cfg.model._base import Email, SecretRef, UrlPath
from mailoauth_cfg.targets._model import TargetModel, TenantSetting, Url, Version
from mailoauth_cfg.targets.openbee.facts import VERSIONS


class OpenbeeTarget(TargetModel):
    """Open Bee Portal (custom SMTP with OAuth2 for Microsoft 365; app password for Google)."""

    type: Literal["openbee"]
    url: Url
    """Portal URL (e.g. https://entreprise.openbeecloud.com)."""
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)] | None = None
    """Open Bee Portal version (the Office 365 / G Suite SMTP settings exist since 6.10.3)."""
    redirect_path: UrlPath | None = None
    """Path of the OAuth callback as shown on the portal's configuration page."""
    sender: Email | None = None
    """Sender address; must equal the mailbox that signs in."""
    app_password: SecretRef | None = None
    """Google app password reference, when ``auth: app-password``."""
    tenant: TenantSetting | None = None
    """The *Tenant ID* field. Omitted: the provider's tenant."""
    secret_expiry: dt.date | None = None
    """The *Client secret expiration date* typed into Open Bee (it reminds the administrator a
    month before). Omitted: rendered from the credential's ``expires``."""
