"""``type: digdash``: the YAML of a DigDash Enterprise target."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import Uri
from mailoauth_cfg.targets._model import TargetModel, TenantSetting, Url, Version
from mailoauth_cfg.targets.digdash.facts import VERSIONS


class DigdashTarget(TargetModel):
    """DigDash Enterprise (server parameters › OAuth, then Email server)."""

    type: Literal["digdash"]
    url: Url
    """Base URL of the DigDash server (``http(s)://host:port``)."""
    version: (
        Annotated[Version, AfterValidator(VERSIONS.format.check), Field(examples=["2025R2"])] | None
    ) = None
    """DigDash release, e.g. 2025R2 (informative)."""
    tenant: TenantSetting | None = None
    """The *Tenant* field of the OAuth parameters. Omitted: the provider's tenant."""
    redirect_uri: Uri | None = None
    """The *Authorized redirect URI* field. Omitted: ``<url>/ddenterpriseapi/v2/oauth/redirect``."""
