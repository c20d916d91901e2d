"""Every rule has a documented ID, a passing case and a failing case, and the cases hold.

Cases live in ``tests/rules/cases/<rule-id>/`` (provider, user and generic target rules) and in
``tests/targets/<kind>/cases/<rule-id>/`` (a kind's own rules, beside its other tests):

* ``pass.yaml``: a complete config on which the rule reports nothing;
* ``fail.yaml``: a complete config where each line that must be reported carries a
  ``# expect: <rule-id>`` comment; the rule must report exactly those lines.

Both files must otherwise be valid configs (no schema or reference error), so a case cannot
pass because the config failed to load. Cases run with ``--as-of 2026-11-22``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import Severity, Status
from mailoauth_cfg.rules import all_rules, rule_infos
from mailoauth_cfg.validation import validate_file

TESTS = Path(__file__).resolve().parent.parent
CASES = TESTS / "rules" / "cases"
KIND_CASES = TESTS / "targets"
AS_OF = dt.date(2026, 11, 22)
RULE_IDS = sorted(rule.id for rule in all_rules())


def case_dirs() -> dict[str, Path]:
    """Rule ID → its case directory, wherever it lives."""
    found = {p.name: p for p in CASES.iterdir() if p.is_dir()}
    for kind in sorted(KIND_CASES.glob("*/cases")):
        found.update({p.name: p for p in kind.iterdir() if p.is_dir()})
    return found


def kind_of_rule(rule_id: str) -> str | None:
    """The module of the target kind whose package holds the rule, if any."""
    for plugin in registry.plugins():
        if any(rule.id == rule_id for rule in plugin.rules):
            return registry.module_name(plugin.key)
    return None


DIRS = case_dirs()
LOAD_RULES = {
    "schema-unknown-key",
    "schema-missing-key",
    "schema-invalid-value",
    "schema-wrong-type",
    "unknown-reference",
    "duplicate-user",
}
EXPECT = re.compile(r"#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")


def _expected_lines(path: Path, rule_id: str) -> set[int]:
    lines = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match and rule_id in [r.strip() for r in match.group(1).split(",")]:
            lines.add(number)
    return lines


def _run(path: Path) -> list:
    result = validate_file(path, as_of=AS_OF)
    broken = [f for f in result.findings if f.rule in LOAD_RULES or f.rule.startswith("yaml-")]
    assert not broken, (
        f"{path} is not a valid config: {[str(f.location) + ' ' + f.message for f in broken]}"
    )
    return result.findings


def test_rule_ids_are_unique_kebab_case_and_documented() -> None:
    ids = [rule.id for rule in all_rules()]
    assert len(ids) == len(set(ids))
    for rule in all_rules():
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.id), rule.id
        assert len(rule.doc.splitlines()) >= 5, f"{rule.id}: docstring too short"
        for section in ("**What.**", "**Why.**", "**Fix.**", "Source"):
            assert section in rule.doc, f"{rule.id}: docstring lacks {section}"


def test_every_rule_has_pass_and_fail_cases() -> None:
    missing = [
        rule_id
        for rule_id in RULE_IDS
        if rule_id not in DIRS
        or not (DIRS[rule_id] / "pass.yaml").is_file()
        or not (DIRS[rule_id] / "fail.yaml").is_file()
    ]
    assert not missing, f"rules without cases: {missing}"


def test_case_directories_name_existing_rules() -> None:
    unknown = sorted(name for name in DIRS if name not in RULE_IDS)
    assert not unknown


def test_a_kinds_rule_cases_live_beside_its_other_tests() -> None:
    for rule_id, directory in DIRS.items():
        kind = kind_of_rule(rule_id)
        expected = CASES if kind is None else KIND_CASES / kind / "cases"
        assert directory.parent == expected, (rule_id, directory)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_pass_case_reports_nothing_for_the_rule(rule_id: str) -> None:
    findings = _run(DIRS[rule_id] / "pass.yaml")
    hits = [f for f in findings if f.rule == rule_id and f.status is Status.FAIL]
    assert not hits, [f"{f.location}: {f.message}" for f in hits]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fail_case_reports_exactly_the_marked_lines(rule_id: str) -> None:
    path = DIRS[rule_id] / "fail.yaml"
    expected = _expected_lines(path, rule_id)
    assert expected, f"{path} marks no line with `# expect: {rule_id}`"
    findings = [f for f in _run(path) if f.rule == rule_id]
    assert {f.location.line for f in findings} == expected, [
        f"{f.location}: {f.message}" for f in findings
    ]
    for finding in findings:
        assert finding.fix, f"{rule_id} finding without a fix: {finding.message}"
        assert finding.object, f"{rule_id} finding without an object: {finding.message}"
        assert finding.location.file.endswith("fail.yaml")
        assert finding.location.column >= 1


def test_rule_catalogue_covers_builtin_and_rule_findings() -> None:
    infos = rule_infos()
    assert set(RULE_IDS) <= set(infos)
    assert all(info.severity in Severity for info in infos.values())
