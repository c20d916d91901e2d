"""The two JSON Schemas accept the shipped example as split over its files: the top-level
config against the config schema, each included file against the fragment schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mailoauth_cfg.schema import FRAGMENT_SCHEMA_FILE, SCHEMA_FILE, committed_schema_path
from tests.conftest import EXAMPLE_DIR

FRAGMENTS = sorted(p for p in EXAMPLE_DIR.rglob("*.yaml") if p.name != "mailoauth.yaml")


def _validator(name: str) -> Any:
    schema = json.loads((committed_schema_path().parent / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _as_json(value: Any) -> Any:
    """YAML as an editor hands it to the schema: dates are the strings they are written as."""
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _errors(name: str, path: Path) -> list[str]:
    document = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [error.message for error in _validator(name).iter_errors(document)]


def test_example_config_matches_the_config_schema() -> None:
    assert _errors(SCHEMA_FILE, EXAMPLE_DIR / "mailoauth.yaml") == []


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda p: p.name)
def test_example_fragments_match_the_fragment_schema(fragment: Path) -> None:
    assert _errors(FRAGMENT_SCHEMA_FILE, fragment) == []
    # and they are why the fragment schema exists
    assert any("version" in message for message in _errors(SCHEMA_FILE, fragment))


def test_fragment_schema_still_refuses_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("users:\n  - {email: a@b.example, provider: p, smtp_auht: enabled}\n")
    assert _errors(FRAGMENT_SCHEMA_FILE, path)
