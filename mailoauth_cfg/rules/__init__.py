"""The offline rule catalogue: one module per rule, listed explicitly by family; the rules of
each target kind come from its plugin (the target registry).

:func:`all_rules` assembles the catalogue on first use: a kind's rules import this package's base
module, so building the catalogue while this package loads would import them half-initialised.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import RuleInfo
from mailoauth_cfg.rules import general, google, microsoft, targets, users
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.builtin import BUILTIN_RULES


@cache
def all_rules() -> tuple[Rule[Any], ...]:
    """Every offline rule: the provider, user and generic families, then each kind's."""
    return (
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
    infos.update({rule.id: rule.info() for rule in all_rules()})
    return infos


__all__ = [
    "BUILTIN_RULES",
    "Context",
    "Rule",
    "RuleOptions",
    "all_rules",
    "rule_infos",
]
