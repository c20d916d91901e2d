"""``type: odoo``: the YAML of an Odoo target."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import Text
from mailoauth_cfg.targets._model import EndpointUrl, TargetModel, Url, Version
from mailoauth_cfg.targets.odoo.facts import VERSIONS


class OdooTarget(TargetModel):
    """Odoo (15 or later) outgoing/incoming mail servers with Outlook or Gmail OAuth."""

    type: Literal["odoo"]
    url: Url
    """``web.base.url``."""
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)]
    """Odoo major version (15 or later)."""
    database: Text = Field(examples=["odoo"])
    """Database name (for the XML-RPC script)."""
    server_name: Text = "OAuth mail"
    """Name of the ``ir.mail_server`` record."""
    authority: EndpointUrl | None = None
    """System parameter ``microsoft_outlook.endpoint`` (Odoo's default is
    ``https://login.microsoftonline.com/common/oauth2/v2.0/``). Omitted: the provider's tenant."""
