"""Every fact a plugin declares is read by product code: an unread field fails this test.

Reads are recorded on the fact classes while the product runs over the whole test corpus: every
rule case and example validated, every golden case rendered, every mailbox's token flow
resolved, the Ansible render result built, and the targets reference generated. A field no
product code reads is dead knowledge: read it where it matters, or delete it.

Documentation fields (where they come from, notes) may be read by the generated reference
only; every other field must be read by behaviour: rules, rendering, token flows, Ansible.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.targets import _facts, _plugin, docs
from mailoauth_cfg.targets.dolibarr import providers
from mailoauth_cfg.validation import validate_file
from tests.rendering.support import golden_cases, render_config

REPO = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 22)

FACT_CLASSES: tuple[type, ...] = (
    _facts.RedirectPattern,
    _facts.MicrosoftProfile,
    _facts.GoogleProfile,
    _facts.Equals,
    _facts.OneOf,
    _facts.Pattern,
    _facts.Setting,
    _facts.VersionFormat,
    _facts.VersionRequirement,
    _facts.VersionFacts,
    _facts.SingleToken,
    _facts.TargetFacts,
    _plugin.TokenStore,
    _plugin.ScopeCheckboxes,
    providers.DolibarrProvider,
)
DOCUMENTATION = {
    ("RedirectPattern", "source"),
    ("MicrosoftProfile", "source"),
    ("GoogleProfile", "source"),
    ("MicrosoftProfile", "tenant_setting"),
    ("Setting", "source"),
    ("VersionRequirement", "source"),
    ("TargetFacts", "source"),
    ("TargetFacts", "notes"),
    ("TargetFacts", "refresh_token_injectable"),
    ("DolibarrProvider", "source"),
    ("DolibarrProvider", "note"),
}
"""Facts that document (their source, notes...): the generated reference is their reader."""


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


class Reads:
    """Which fields of the fact classes were read, recorded while active."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def spy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        seen = self.seen
        for cls in FACT_CLASSES:
            names = _fields(cls)

            def getattribute(self: object, name: str, _names: set[str] = names) -> Any:
                if name in _names:
                    seen.add((type(self).__name__, name))
                return object.__getattribute__(self, name)

            monkeypatch.setattr(cls, "__getattribute__", getattribute)


def _configs() -> Iterator[Path]:
    yield from sorted((REPO / "tests" / "rules" / "cases").glob("*/*.yaml"))
    yield from sorted((REPO / "tests" / "targets").glob("*/cases/*/*.yaml"))
    yield from sorted((REPO / "tests" / "fuzz" / "corpus").glob("schema-*.yaml"))
    yield REPO / "examples" / "contoso" / "mailoauth.yaml"
    yield REPO / "examples" / "broken" / "mailoauth.yaml"


def _ansible_common() -> Any:
    path = REPO / "ansible" / "plugins" / "module_utils" / "_common.py"
    spec = importlib.util.spec_from_file_location("mailoauth_ansible_common", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def _behaviour(tmp_path: Path) -> None:
    """Run the product over the corpus: rules, rendering, token flows, the Ansible result."""
    from mailoauth_cfg.tokens.setup import resolve_all

    common = _ansible_common()
    for config in _configs():
        result = validate_file(config, as_of=AS_OF)
        if result.config is not None:
            common.target_settings(result.config, sorted(result.config.targets))
    for config, secrets, _ in golden_cases(tmp_path).values():
        render_config(config, secrets)
        resolve_all(config, store=str(tmp_path / "store"), environ=secrets)


def test_every_fact_is_read_by_product_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    behaviour = Reads()
    with monkeypatch.context() as patch:
        behaviour.spy(patch)
        _behaviour(tmp_path)
    reference = Reads()
    with monkeypatch.context() as patch:
        reference.spy(patch)
        docs.render()
    every = {(cls.__name__, name) for cls in FACT_CLASSES for name in _fields(cls)}
    unread = sorted(every - behaviour.seen - reference.seen)
    assert not unread, f"facts no product code reads (read them or delete them): {unread}"
    only_documented = sorted((every - behaviour.seen) - DOCUMENTATION)
    assert not only_documented, (
        f"facts only the generated reference reads (give them a behaviour): {only_documented}"
    )
    stale = sorted(DOCUMENTATION & behaviour.seen)
    assert not stale, (
        f"documentation facts now read by behaviour: drop them from DOCUMENTATION {stale}"
    )
