"""The offline rule catalogue: one module per rule, listed explicitly by family; the rules of
each target kind come from its plugin (the target registry)."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import RuleInfo
from mailoauth_cfg.rules import general, google, microsoft, targets, users
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.builtin import BUILTIN_RULES

ALL_RULES: tuple[Rule[Any], ...] = (
    *general.RULES,
    *microsoft.RULES,
    *google.RULES,
    *users.RULES,
    *targets.RULES,
    *registry.all_rules(),
)


def rule_infos() -> dict[str, RuleInfo]:
    """Metadata of every rule and every built-in check, by ID."""
    infos = dict(BUILTIN_RULES)
    infos.update({rule.id: rule.info() for rule in ALL_RULES})
    return infos


__all__ = ["ALL_RULES", "BUILTIN_RULES", "Context", "Rule", "RuleOptions", "rule_infos"]
