"""The rules of this target kind: one module per rule, its ID its file name."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.targets.dolibarr.rules import (
    dolibarr_collector_needs_imap,
    dolibarr_context_auth_type,
    dolibarr_force_prompt,
    dolibarr_label_reserved,
    dolibarr_microsoft3_version,
    dolibarr_provider_class_mismatch,
    dolibarr_service_name_too_long,
)

RULES: tuple[Rule[Any], ...] = (
    dolibarr_collector_needs_imap.RULE,
    dolibarr_context_auth_type.RULE,
    dolibarr_force_prompt.RULE,
    dolibarr_label_reserved.RULE,
    dolibarr_microsoft3_version.RULE,
    dolibarr_provider_class_mismatch.RULE,
    dolibarr_service_name_too_long.RULE,
)
