"""Rules that apply to every provider: secrets, references, cross-object consistency."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.rules.general import (
    app_unused,
    redirect_uri_stale,
    secret_literal,
)

RULES: tuple[Rule[Any], ...] = (
    secret_literal.RULE,
    redirect_uri_stale.RULE,
    app_unused.RULE,
)
