"""The rules of this target kind: one module per rule, its ID its file name."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.targets.postfix_sasl_xoauth2.rules import (
    sasl_xoauth2_chroot,
    sasl_xoauth2_refresh_window,
)

RULES: tuple[Rule[Any], ...] = (
    sasl_xoauth2_chroot.RULE,
    sasl_xoauth2_refresh_window.RULE,
)
