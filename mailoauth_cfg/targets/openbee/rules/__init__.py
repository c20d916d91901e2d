"""The rules of this target kind: one module per rule, its ID its file name."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.targets.openbee.rules import (
    openbee_google_app_password,
    openbee_permissions,
    openbee_redirect_path_missing,
    openbee_secret_expiry_date,
)

RULES: tuple[Rule[Any], ...] = (
    openbee_google_app_password.RULE,
    openbee_permissions.RULE,
    openbee_redirect_path_missing.RULE,
    openbee_secret_expiry_date.RULE,
)
