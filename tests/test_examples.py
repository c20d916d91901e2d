"""The shipped examples: the realistic one validates clean, the broken one explains itself."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from mailoauth_cfg.findings import Severity, Status
from mailoauth_cfg.validation import validate_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
AS_OF = dt.date(2026, 11, 22)


def test_contoso_example_has_no_finding() -> None:
    result = validate_file(EXAMPLES / "contoso" / "mailoauth.yaml", as_of=AS_OF)
    assert result.config is not None
    assert [f"{f.location} {f.rule}: {f.message}" for f in result.findings] == []
    types = {t.type for t in result.config.targets.values()}
    assert len(types) == 11, "the example must hold a target of every type"
    assert {p.type for p in result.config.providers.values()} == {"microsoft", "google"}


def test_broken_example_reports_each_marked_line_with_its_rule() -> None:
    path = EXAMPLES / "broken" / "mailoauth.yaml"
    expected: dict[str, set[int]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.search(r"#\s*expect:\s*(.+)$", line)
        if match:
            for rule in match.group(1).split(","):
                expected.setdefault(rule.strip(), set()).add(number)
    result = validate_file(path, as_of=AS_OF)
    got: dict[str, set[int]] = {}
    for finding in result.findings:
        assert finding.status is Status.FAIL
        assert finding.fix, finding
        got.setdefault(finding.rule, set()).add(finding.location.line)
    assert got == expected
    assert len(got) >= 25


VENDOR = sorted((EXAMPLES / "vendor").glob("*.yaml"))
SEED_APPLICATIONS = {"dolibarr", "dolibarr-multismtp", "digdash", "wavesoft", "openbee"}


def test_one_vendor_documented_setup_per_seed_application() -> None:
    assert {p.stem for p in VENDOR} == SEED_APPLICATIONS
    for path in VENDOR:
        result = validate_file(path, as_of=AS_OF)
        assert result.config is not None
        assert {t.type for t in result.config.targets.values()} == {path.stem}


@pytest.mark.parametrize("path", VENDOR, ids=lambda p: p.stem)
def test_vendor_documented_setup_has_no_error_or_warning(path: Path) -> None:
    result = validate_file(path, as_of=AS_OF)
    loud = [f for f in result.findings if f.severity > Severity.INFO]
    assert [f"{f.location} {f.rule}: {f.message}" for f in loud] == []
