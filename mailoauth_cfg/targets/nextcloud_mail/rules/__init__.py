"""The rules of this target kind: one module per rule, its ID its file name."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.targets.nextcloud_mail.rules import (
    nextcloud_imap_host,
    nextcloud_index_php,
)

RULES: tuple[Rule[Any], ...] = (
    nextcloud_imap_host.RULE,
    nextcloud_index_php.RULE,
)
