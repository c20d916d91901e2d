"""The rules of this target kind: one module per rule, its ID its file name."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.targets.dolibarr_multismtp.rules import (
    multismtp_cron_refresh_days,
    multismtp_user_id_missing,
)

RULES: tuple[Rule[Any], ...] = (
    multismtp_cron_refresh_days.RULE,
    multismtp_user_id_missing.RULE,
)
