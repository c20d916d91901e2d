"""``type: wavesoft``: the YAML of a WaveSoft CRM target."""

from typing import Annotated, Literal

from pydantic import AfterValidator

from mailoauth_cfg.model._base import Text
from mailoauth_cfg.targets._model import EndpointUrl, TargetModel, Version
from mailoauth_cfg.targets.wavesoft.facts import VERSIONS


class WavesoftTarget(TargetModel):
    """WaveSoft CRM (Windows desktop client, consent on each user's PC)."""

    type: Literal["wavesoft"]
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)] | None = None
    """WaveSoft version (OAuth2 mail is documented from V23.02.05)."""
    folder: Text | None = None
    """WaveSoft "dossier" whose preferences hold the OAuth settings."""
    authorize_endpoint: EndpointUrl | None = None
    """*URL Authentification* (the authorize endpoint v2). Omitted: the provider's."""
    token_endpoint: EndpointUrl | None = None
    """*URL Jeton* (the token endpoint v2). Omitted: the provider's."""
