"""Rules about each target application's own constraints."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule

RULES: tuple[Rule[Any], ...] = ()
