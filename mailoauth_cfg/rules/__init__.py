"""The offline rule catalogue: one module per rule, listed explicitly by family; the rules of
each target kind come from its plugin (the target registry).

Families and kinds are imported on first use. :func:`all_rules` is the whole catalogue;
:func:`rules_for` is what can find something in one config: every family, except that a
provider's family (``microsoft``, ``google``: named after the provider ``type``) joins only
when the config declares a provider of that type, and the rules of the kinds the config uses and
of the kinds theirs are built on.
A kind's rules import this package's base module, so the catalogue is never assembled while
this package loads.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any, get_args

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import RuleInfo
from mailoauth_cfg.model import MailConfig
from mailoauth_cfg.model.providers import Provider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.builtin import BUILTIN_RULES

FAMILIES = ("general", "microsoft", "google", "users", "targets")
"""The rule families (packages of this one), in catalogue order."""


@cache
def family_rules(family: str) -> tuple[Rule[Any], ...]:
    """The rules of one family (its package is imported on first use)."""
    found: tuple[Rule[Any], ...] = importlib.import_module(f"{__name__}.{family}").RULES
    return found


@cache
def _provider_types() -> frozenset[str]:
    """The ``type`` of every provider model (the members of the ``providers:`` union)."""
    (members, _) = get_args(Provider)
    return frozenset(str(get_args(m.model_fields["type"].annotation)[0]) for m in get_args(members))


@cache
def all_rules() -> tuple[Rule[Any], ...]:
    """Every offline rule: the provider, user and generic families, then each kind's."""
    return (
        *(rule for family in FAMILIES for rule in family_rules(family)),
        *registry.all_rules(),
    )


def rules_for(config: MailConfig) -> tuple[Rule[Any], ...]:
    """The rules that can report something on ``config`` (see the module's docstring)."""
    declared = {provider.type for provider in config.providers.values()}
    families = [f for f in FAMILIES if f not in _provider_types() or f in declared]
    used = {target.type for target in config.targets.values()} & set(registry.kind_keys())
    related = _related_kinds(used)
    kinds = [registry.plugin(key) for key in registry.kind_keys() if key in related]
    return (
        *(rule for family in families for rule in family_rules(family)),
        *(rule for kind in kinds for rule in kind.rules),
    )


def _related_kinds(used: set[str]) -> set[str]:
    """The kinds in use and the kinds whose plugin theirs derives from (a kind built on
    another, as Dolibarr's MultiSMTP module on Dolibarr, is checked by its rules too)."""
    packages = {
        f"{registry.__name__}.{registry.module_name(key)}": key for key in registry.kind_keys()
    }
    found = set(used)
    for key in used:
        for cls in type(registry.plugin(key)).__mro__:
            if cls.__module__ in packages:
                found.add(packages[cls.__module__])
    return found


def rule_infos() -> dict[str, RuleInfo]:
    """Metadata of every rule and every built-in check, by ID."""
    infos = dict(BUILTIN_RULES)
    infos.update({rule.id: rule.info() for rule in all_rules()})
    return infos


__all__ = [
    "BUILTIN_RULES",
    "FAMILIES",
    "Context",
    "Rule",
    "RuleOptions",
    "all_rules",
    "family_rules",
    "rule_infos",
    "rules_for",
]
