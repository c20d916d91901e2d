"""Golden files: the full render of each golden case, byte for byte.

``contoso`` is examples/contoso; ``variants`` (tests/rendering/cases/variants) gives each target
type the provider the example does not use for it. Regenerate with
``python -m tests.rendering.regen`` after an intended change, and review the diff of
``tests/rendering/golden/`` before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailoauth_cfg import targets as registry
from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rendering.writer import MANIFEST, manifest_bytes
from tests.rendering.support import (
    REGEN_COMMAND,
    golden_case_names,
    golden_cases,
    render_config,
    tree,
)

CASES = golden_case_names()


@pytest.mark.parametrize("case", CASES)
def test_render_matches_golden_files(case: str, tmp_path: Path) -> None:
    config, secrets, golden = golden_cases(tmp_path)[case]
    result = render_config(config, secrets)
    assert not result.findings, [f.message for f in result.findings]
    actual = {f.path: f.content for f in result.files}
    actual[MANIFEST] = manifest_bytes(result.files)
    expected = tree(golden)
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(p for p in set(expected) & set(actual) if expected[p] != actual[p])
    hint = (
        f"the render of the {case} case differs from {golden}: "
        f"changed {changed}, no longer produced {missing}, new {extra}. If the change is "
        f"intended, run `{REGEN_COMMAND}` and review the diff."
    )
    assert not missing, hint
    assert not extra, hint
    assert not changed, hint


@pytest.mark.parametrize("case", CASES)
def test_golden_set_covers_every_target_type_with_a_runbook_per_mailbox(
    case: str, tmp_path: Path
) -> None:
    config_path, _, golden = golden_cases(tmp_path)[case]
    config = build_config(load_config(config_path)).config
    assert config is not None
    files = set(tree(golden))
    if case == "contoso":
        # The example shows every kind, except new kinds rendered by their own case.
        own = set(golden_case_names()) - {"contoso", "variants"}
        shown = {target.type for target in config.targets.values()}
        assert shown | {k for k in registry.kind_keys() if registry.module_name(k) in own} == set(
            registry.kind_keys()
        )
    for name, target in config.targets.items():
        own = {p for p in files if p.startswith(f"{name}/") and "/bootstrap/" not in p}
        assert own, f"target {name} ({target.type}) has no file in the golden set"
        for email in target.users:
            assert f"{name}/bootstrap/{email}.md" in files, (name, email)


@pytest.mark.parametrize("case", CASES)
def test_golden_manifest_lists_every_file_without_secrets(case: str, tmp_path: Path) -> None:
    _, secrets, golden = golden_cases(tmp_path)[case]
    text = (golden / MANIFEST).read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert {entry["path"] for entry in manifest["files"]} == set(tree(golden)) - {MANIFEST}
    assert not any(secret in text for secret in secrets.values())


def test_every_kind_is_rendered_with_every_provider_it_supports(tmp_path: Path) -> None:
    """A kind joins the golden set with each provider: contoso, variants or its own case."""
    seen: set[tuple[str, str]] = set()
    for config_path, _, _ in golden_cases(tmp_path).values():
        config = build_config(load_config(config_path)).config
        assert config is not None
        for target in config.targets.values():
            app = config.apps.get(target.app) if target.app else None
            user = config.user(target.users[0]) if target.users else None
            provider = app.provider if app is not None else (user.provider if user else None)
            if provider is not None:
                seen.add((target.type, config.providers[provider].type))
    wanted = {(p.key, provider) for p in registry.plugins() for provider in p.facts.providers}
    assert not wanted - seen, f"kinds and providers without a golden render: {wanted - seen}"
