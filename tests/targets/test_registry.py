"""The registry is the one list of kinds: nothing else in the product names a kind's key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailoauth_cfg import targets as registry

REPO = Path(__file__).resolve().parents[2]
PRODUCT = [
    *sorted((REPO / "mailoauth_cfg").rglob("*.py")),
    *sorted((REPO / "ansible").rglob("*.py")),
    *sorted((REPO / "ansible").rglob("*.yml")),
    *sorted((REPO / "templates").rglob("*.j2")),
]


@pytest.mark.parametrize("key", registry.kind_keys())
def test_a_kinds_key_is_quoted_only_in_its_package_and_the_registry_line(key: str) -> None:
    quoted = re.compile(rf"[\"']{re.escape(key)}[\"']")
    own = f"mailoauth_cfg/targets/{registry.module_name(key)}/"
    outside = sorted(
        rel
        for path in PRODUCT
        if quoted.search(path.read_text(encoding="utf-8"))
        and not (rel := path.relative_to(REPO).as_posix()).startswith(own)
    )
    # The registry lists module names; a key without '-' is its module name too.
    allowed = ["mailoauth_cfg/targets/__init__.py"] if "-" not in key else []
    assert outside == allowed, f"{key!r} is written outside its plugin: {outside}"


@pytest.mark.parametrize("key", registry.kind_keys())
def test_the_model_writes_the_key_the_registry_derives(key: str) -> None:
    plugin = registry.plugin(key)
    assert plugin.key == key
    source = (
        REPO / "mailoauth_cfg" / "targets" / registry.module_name(key) / "model.py"
    ).read_text(encoding="utf-8")
    assert f'type: Literal["{key}"]' in source


def test_every_kind_has_its_templates_and_tests() -> None:
    for key in registry.kind_keys():
        module = registry.module_name(key)
        assert (REPO / "templates" / key).is_dir(), key
        assert list((REPO / "templates" / key).glob("*.j2")), key
        plugin = registry.plugin(key)
        if plugin.rules:
            assert (REPO / "tests" / "targets" / module / "cases").is_dir(), key
