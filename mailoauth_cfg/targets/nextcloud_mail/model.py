"""``type: nextcloud-mail``: the YAML of a Nextcloud Mail target."""

from typing import Annotated, Literal

from pydantic import AfterValidator

from mailoauth_cfg.targets._model import TargetModel, TenantSetting, Url, Version
from mailoauth_cfg.targets.nextcloud_mail.facts import VERSIONS


class NextcloudMailTarget(TargetModel):
    """Nextcloud Mail app with the Microsoft or Google integration."""

    type: Literal["nextcloud-mail"]
    url: Url
    """Nextcloud base URL."""
    index_php: bool = False
    """Nextcloud serves routes with ``/index.php/`` (no pretty URLs)."""
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)] | None = None
    """Mail app version."""
    tenant: TenantSetting | None = None
    """``microsoft_oauth_tenant_id`` (Nextcloud's default is ``common``). Omitted: the
    provider's tenant."""
