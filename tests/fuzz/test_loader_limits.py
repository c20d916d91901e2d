"""The loader's limits found by fuzzing: each holds without walking, recursing or crashing.

* the composer guard (libyaml's composer recurses in C: deep enough nesting was a SIGSEGV),
  and the cheap bound that decides when the guard is needed;
* ``include:`` globs that would search outside the config directory are refused before any
  directory is walked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mailoauth_cfg import loading
from tests.fuzz.conftest import budget
from tests.fuzz.strategies import mutated_documents, yaml_texts

REPO = Path(__file__).resolve().parents[2]


class _DepthProbe(yaml.CSafeLoader):
    """Records the deepest nesting the composer reaches."""

    depth = 0
    deepest = 0

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        self.depth += 1
        self.deepest = max(self.deepest, self.depth)

    def ascend_resolver(self) -> None:
        self.depth -= 1


def deepest(text: str) -> int:
    loader = _DepthProbe(text)
    try:
        loader.get_single_node()
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return loader.deepest


@budget(60)
@given(data=st.one_of(mutated_documents(), yaml_texts()), limit=st.sampled_from([4, 8, 16, 64]))
def test_the_nesting_bound_is_an_upper_bound(data: bytes, limit: int) -> None:
    """When the cheap bound says "not deeper than LIMIT", the composer never goes deeper."""
    text = data.decode("utf-8", "replace").replace("\x00", "")
    if not loading._may_nest_deeper(text, limit):
        assert deepest(text) <= limit


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 200_000 + "]" * 200_000,
        "x: " + "{a: " * 100_000 + "1" + "}" * 100_000,
        "- " * 100_000 + "x",
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_nesting_beyond_the_c_stack_is_a_finding_not_a_crash(tmp_path: Path, text: str) -> None:
    """In a subprocess: a regression would be a SIGSEGV, not an exception."""
    config = tmp_path / "deep.yaml"
    config.write_text("version: 1\n" + text + "\n" if not text.startswith("-") else text + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "mailoauth_cfg", "validate", str(config), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert '"rule": "yaml-too-deep"' in done.stdout


def test_the_guard_is_skipped_for_ordinary_configs() -> None:
    example = (REPO / "examples" / "contoso" / "mailoauth.yaml").read_text(encoding="utf-8")
    assert not loading._may_nest_deeper(example, loading.MAX_COMPOSE_DEPTH)
    assert loading._may_nest_deeper("[" * 1001, loading.MAX_COMPOSE_DEPTH)
    assert loading._may_nest_deeper("x" * 500, loading.MAX_COMPOSE_DEPTH)


@pytest.mark.parametrize(
    "pattern",
    ["/**/*.yaml", "../../../../**/*.yaml", "*/../../*.yaml", "sub/../../**"],
)
def test_outside_globs_are_refused_without_walking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    def no_walk(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError(f"glob walked {args}")

    monkeypatch.setattr(loading.glob, "glob", no_walk)
    (tmp_path / "sub").mkdir()
    config = tmp_path / "c.yaml"
    config.write_text(f'version: 1\ninclude: ["{pattern}"]\n')
    result = loading.load_config(config)
    assert [f.rule for f in result.findings] == ["include-outside"]
    assert result.findings[0].location.line == 2


def test_globs_inside_or_allowed_outside_still_work(tmp_path: Path) -> None:
    (tmp_path / "cfg" / "users").mkdir(parents=True)
    (tmp_path / "cfg" / "users" / "a.yaml").write_text("users: []\n")
    (tmp_path / "shared.yaml").write_text("apps: {}\n")
    config = tmp_path / "cfg" / "c.yaml"
    config.write_text('version: 1\ninclude: ["users/*.yaml", "../*.yaml"]\n')
    refused = loading.load_config(config)
    assert [f.rule for f in refused.findings] == ["include-outside"]
    assert len(refused.files) == 2
    allowed = loading.load_config(config, allow_include_outside=True)
    assert allowed.findings == []
    assert len(allowed.files) == 3
