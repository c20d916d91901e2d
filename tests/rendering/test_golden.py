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

from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rendering.writer import MANIFEST, manifest_bytes
from tests.rendering.support import (
    REGEN_COMMAND,
    TARGET_TYPES,
    golden_cases,
    render_config,
    tree,
)


@pytest.mark.parametrize("case", ["contoso", "variants"])
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
        f"the render of the {case} case differs from tests/rendering/golden/{golden.name}/: "
        f"changed {changed}, no longer produced {missing}, new {extra}. If the change is "
        f"intended, run `{REGEN_COMMAND}` and review the diff."
    )
    assert not missing, hint
    assert not extra, hint
    assert not changed, hint


@pytest.mark.parametrize("case", ["contoso", "variants"])
def test_golden_set_covers_every_target_type_with_a_runbook_per_mailbox(
    case: str, tmp_path: Path
) -> None:
    config_path, _, golden = golden_cases(tmp_path)[case]
    config = build_config(load_config(config_path)).config
    assert config is not None
    files = set(tree(golden))
    if case == "contoso":
        assert {target.type for target in config.targets.values()} == set(TARGET_TYPES)
    for name, target in config.targets.items():
        own = {p for p in files if p.startswith(f"{name}/") and "/bootstrap/" not in p}
        assert own, f"target {name} ({target.type}) has no file in the golden set"
        for email in target.users:
            assert f"{name}/bootstrap/{email}.md" in files, (name, email)


@pytest.mark.parametrize("case", ["contoso", "variants"])
def test_golden_manifest_lists_every_file_without_secrets(case: str, tmp_path: Path) -> None:
    _, secrets, golden = golden_cases(tmp_path)[case]
    text = (golden / MANIFEST).read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert {entry["path"] for entry in manifest["files"]} == set(tree(golden)) - {MANIFEST}
    assert not any(secret in text for secret in secrets.values())
