"""Fuzzing ``validate``: random, model-shaped and mutated configs never crash it.

Each test writes one generated file and checks the property of :mod:`tests.fuzz.harness`
(documented exit code, no traceback, a JSON report that agrees with the exit code, located
findings). Case counts: 150 + 200 + 120 + 30 = 500 in CI, 20 times more (10,000) with
``MAILOAUTH_FUZZ=long`` (see :mod:`tests.fuzz.conftest`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given, note

from tests.fuzz.conftest import budget
from tests.fuzz.harness import FORMATS, assert_clean_exit, check_validate, validate
from tests.fuzz.strategies import mutated_documents, mutated_seeds, yaml_texts


def _case(fuzz_dir: Path, data: bytes) -> Path:
    note(f"input ({len(data)} bytes): {data[:3000]!r}")
    path = fuzz_dir / "c.yaml"
    path.write_bytes(data)
    return path


@budget(150)
@given(data=yaml_texts())
def test_random_yaml_text(fuzz_dir: Path, data: bytes) -> None:
    """Random YAML-ish text and raw bytes."""
    check_validate(_case(fuzz_dir, data))


@budget(200)
@given(data=mutated_documents())
def test_model_shaped_documents_mutated(fuzz_dir: Path, data: bytes) -> None:
    """Configs built from the model's keys and plausible values, then mutated."""
    check_validate(_case(fuzz_dir, data))


@budget(120)
@given(data=mutated_seeds())
def test_seed_files_mutated(fuzz_dir: Path, data: bytes) -> None:
    """The example, the rule cases and the corpus with byte-level mutations."""
    check_validate(_case(fuzz_dir, data))


@budget(30, runs=len(FORMATS))
@given(data=mutated_documents())
def test_every_report_format_survives(fuzz_dir: Path, data: bytes) -> None:
    """Every report format of fuzzed configs: the same exit code, SARIF and JUnit parseable."""
    path = _case(fuzz_dir, data)
    codes = set()
    for fmt in FORMATS:
        result = validate(path, fmt)
        assert_clean_exit(result)
        codes.add(result.exit_code)
        assert len(codes) == 1, (fmt, result.output)
        if result.exit_code == 2:
            continue
        if fmt == "sarif":
            json.loads(result.stdout)
        elif fmt == "junit":
            ET.fromstring(result.stdout.encode("utf-8"))  # noqa: S314 - our own output
