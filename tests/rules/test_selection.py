"""A config runs the rules that can find something in it: every family but the families of
providers it does not declare, and the rules of the kinds it uses. The others find nothing on
any case config, so leaving them unimported changes no result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rules import all_rules, rules_for
from mailoauth_cfg.rules._base import Context

TESTS = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 22)


def _configs() -> list[Path]:
    return sorted(
        [
            *(TESTS / "rules" / "cases").glob("*/*.yaml"),
            *(TESTS / "targets").glob("*/cases/*/*.yaml"),
            *(TESTS / "truth" / "cases").glob("*.yaml"),
        ]
    )


def test_the_rules_left_out_find_nothing_on_any_case() -> None:
    left_out = 0
    for path in _configs():
        loaded = load_config(path)
        built = build_config(loaded)
        if built.config is None:
            continue
        chosen = {rule.id for rule in rules_for(built.config)}
        ctx = Context.of(built.config, loaded.marks, AS_OF)
        for rule in all_rules():
            if rule.id in chosen:
                continue
            left_out += 1
            found = list(rule.check(ctx, rule.options.model_validate({})))
            assert not found, (path, rule.id, [f.message for f in found])
    assert left_out > 1000


def test_a_provider_family_joins_with_a_provider_of_its_type() -> None:
    path = TESTS / "rules" / "cases" / "ms-tenant-keyword" / "fail.yaml"
    built = build_config(load_config(path))
    assert built.config is not None
    families = {rule.family for rule in rules_for(built.config)}
    types = {p.type for p in built.config.providers.values()}
    assert ("microsoft" in families) == ("microsoft" in types)
    assert ("google" in families) == ("google" in types)
