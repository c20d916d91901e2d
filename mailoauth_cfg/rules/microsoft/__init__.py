"""Rules about Microsoft Entra app registrations, tenants and Exchange Online."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.rules.microsoft import ms_secret_expiry

RULES: tuple[Rule[Any], ...] = (ms_secret_expiry.RULE,)
