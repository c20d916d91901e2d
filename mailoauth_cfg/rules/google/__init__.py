"""Rules about Google OAuth clients, consent screens and Workspace."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule

RULES: tuple[Rule[Any], ...] = ()
