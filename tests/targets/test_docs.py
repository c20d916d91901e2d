"""docs/targets.md is generated from the registry and must be current."""

from __future__ import annotations

from mailoauth_cfg import targets as registry
from mailoauth_cfg.targets import docs


def test_committed_target_reference_is_current() -> None:
    assert docs.DOCS_FILE.read_text(encoding="utf-8") == docs.render(), (
        "docs/targets.md is stale: run `python -m mailoauth_cfg.targets.docs --write`"
    )


def test_reference_has_a_section_per_kind() -> None:
    text = docs.render()
    for plugin in registry.plugins():
        assert f"## `{plugin.key}`: {plugin.facts.display_name}" in text
        for rule in plugin.rules:
            assert f"`{rule.id}`" in text


def test_check_mode_passes_on_the_committed_file() -> None:
    assert docs.main(["--check"]) == 0
