"""The rules of this target kind: one module per rule, its ID its file name."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.targets.email_oauth2_proxy.rules import (
    email_oauth2_proxy_flow,
    email_oauth2_proxy_local_address,
    email_oauth2_proxy_port_collision,
)

RULES: tuple[Rule[Any], ...] = (
    email_oauth2_proxy_flow.RULE,
    email_oauth2_proxy_local_address.RULE,
    email_oauth2_proxy_port_collision.RULE,
)
