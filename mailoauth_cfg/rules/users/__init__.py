"""Rules about mailboxes: addresses, SMTP AUTH, shared mailboxes, token ownership."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule

RULES: tuple[Rule[Any], ...] = ()
