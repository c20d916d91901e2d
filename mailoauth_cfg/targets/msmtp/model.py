"""``type: msmtp``: the YAML of an msmtp target."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator

from mailoauth_cfg.model._base import CommandLine, PathText
from mailoauth_cfg.targets._model import TargetModel, Version
from mailoauth_cfg.targets.msmtp.facts import VERSIONS


class MsmtpTarget(TargetModel):
    """msmtp (sendmail replacement) with ``passwordeval`` calling ``mailoauth-cfg token access``."""

    type: Literal["msmtp"]
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)] | None = None
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
