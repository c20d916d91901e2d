"""``type: msmtp``: the YAML of an msmtp target."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator

from mailoauth_cfg.targets._model import TargetModel
from mailoauth_cfg.targets.msmtp.facts import VERSIONS


class MsmtpTarget(TargetModel):
    """msmtp (sendmail replacement) with ``passwordeval`` calling ``mailoauth-cfg token access``."""

    type: Literal["msmtp"]
    version: Annotated[str | int | float, AfterValidator(VERSIONS.format.check)] | None = None
    """Installed msmtp version (XOAUTH2 needs 1.8.13 or later)."""
    config_path: str = "/etc/mailoauth-cfg/mailoauth.yaml"
    """Where this config lives on the host, for ``passwordeval``."""
    command: str = "mailoauth-cfg"
    """Command that runs mailoauth-cfg on the host."""
    token_dir: str | None = None
    """Token store directory on the host; omitted: the tool's default."""
    logfile: str | None = None
    """msmtp ``logfile``."""
