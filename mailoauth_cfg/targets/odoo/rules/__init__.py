"""The rules of this target kind: one module per rule, its ID its file name."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.targets.odoo.rules import (
    odoo_from_filter,
)

RULES: tuple[Rule[Any], ...] = (odoo_from_filter.RULE,)
