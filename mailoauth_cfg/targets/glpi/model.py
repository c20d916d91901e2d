"""``type: glpi``: the YAML of a GLPI target."""

from typing import Annotated, Literal

from pydantic import AfterValidator

from mailoauth_cfg.model._base import Email, PathText, SystemUser
from mailoauth_cfg.targets._model import LoginAccount, TargetModel, TenantSetting, Url, Version
from mailoauth_cfg.targets.glpi.facts import VERSIONS


class GlpiTarget(TargetModel):
    """GLPI (10.0.x/11) notifications through SMTP + OAuth."""

    type: Literal["glpi"]
    url: Url
    """GLPI ``url_base``."""
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)] | None = None
    """GLPI version (OAuth SMTP needs 10.0.0 or later)."""
    glpi_dir: PathText = "/var/www/glpi"
    """GLPI installation directory (for ``bin/console``)."""
    web_user: SystemUser = "www-data"
    """The web server user GLPI's files belong to, which runs ``bin/console`` (``apache`` on
    Red Hat systems)."""
    sender: Email | None = None
    """``from_email``; omitted: the mailbox."""
    tenant: TenantSetting | None = None
    """``smtp_oauth_options`` ``{"tenant": ...}`` of the Azure provider (GLPI's default is
    ``common``). Omitted: the provider's tenant."""
    accounts: dict[Email, LoginAccount] | None = None
    """Per mailbox: ``smtp_username`` (``login``) and who signed in at the consent."""
