"""What every rule owes: omitted = unknown, severity by impact, fixes that agree and apply.

These run over every rule's own cases (``pass.yaml`` / ``fail.yaml``, see test_cases.py):

* a rule reports an error or a warning only on a fact its failing case declares: the finding is
  located on a key written in the YAML, inside an object (never only on the object's name, which
  is where a rule points when the fact it judges is omitted);
* every severity a rule reports is one of those it declares with their impact (``impacts``),
  which docs/severity.md publishes;
* a rule that carries its fix as YAML changes (``fixable``) does so on every error or warning it
  reports; applying them (``validate --fix``) makes its findings disappear and brings no new
  error or warning; two findings of one case never ask for contradictory changes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from mailoauth_cfg.findings import Severity, Status
from mailoauth_cfg.fixing import apply_fixes, plan_fixes
from mailoauth_cfg.locations import format_path
from mailoauth_cfg.rules import all_rules
from mailoauth_cfg.rules import severity as severity_doc
from mailoauth_cfg.validation import validate_file
from tests.rules.test_cases import DIRS, RULE_IDS

AS_OF = dt.date(2026, 11, 22)
BY_ID = {rule.id: rule for rule in all_rules()}

LOCATED_ON_THE_OBJECT = {
    "target-app-missing": "a target naming no app is judged on the target itself",
    "target-no-users": "a target naming no mailbox is judged on the target itself",
    "ms-tenant-keyword": "the keyword is the declared provider tenant",
    "user-token-shared": "the mailboxes are the declared users list",
    "dolibarr-force-prompt": "the prompt follows from the declared version and user consent",
}
"""Rules whose error may sit on an object's name because the fact it judges is the object's
declared content taken as a whole (each with why)."""


def _findings(path: Path, rule_id: str) -> list:
    result = validate_file(path, as_of=AS_OF)
    return [f for f in result.findings if f.rule == rule_id and f.status is Status.FAIL]


def _declared_paths(path: Path) -> set[str]:
    result = validate_file(path, as_of=AS_OF)
    marks = result.loaded.marks
    return {format_path(p) for p in (*marks.values, *marks.keys)}


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_errors_and_warnings_judge_only_declared_facts(rule_id: str) -> None:
    path = DIRS[rule_id] / "fail.yaml"
    declared = _declared_paths(path)
    for finding in _findings(path, rule_id):
        if finding.severity is Severity.INFO:
            continue
        where = finding.location.path
        assert where in declared, f"{rule_id}: {where} is not written in {path}"
        depth = where.count(".") + where.count("[")
        if depth < 2:
            assert rule_id in LOCATED_ON_THE_OBJECT, (
                f"{rule_id} reports a {finding.severity.label} on {where}, an object's name: "
                "the fact it judges is not declared (omitted = unknown: at most an info)"
            )


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_reported_severities_are_declared_with_their_impact(rule_id: str) -> None:
    rule = BY_ID[rule_id]
    assert rule.impacts, f"{rule_id} declares no impact"
    levels = {level for level, _ in rule.impacts}
    assert rule.severity in levels
    for case in ("pass.yaml", "fail.yaml"):
        for finding in _findings(DIRS[rule_id] / case, rule_id):
            assert finding.severity in levels, (rule_id, finding.severity, finding.message)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fixable_rules_carry_their_fix_and_others_do_not(rule_id: str) -> None:
    rule = BY_ID[rule_id]
    findings = [
        f for f in _findings(DIRS[rule_id] / "fail.yaml", rule_id) if f.severity > Severity.INFO
    ]
    if rule.fixable:
        assert any(f.edits for f in findings), f"{rule_id} is fixable but carries no fix"
    else:
        assert not any(f.edits for f in findings), f"{rule_id} carries edits: mark it fixable"


def _signature(findings: list) -> set[tuple[str, str, str]]:
    return {
        (f.rule, f.object_name, f.location.path)
        for f in findings
        if f.status is Status.FAIL and f.severity > Severity.INFO
    }


@pytest.mark.parametrize("rule_id", sorted(r.id for r in all_rules() if r.fixable))
def test_applying_a_rules_fixes_resolves_its_findings(rule_id: str, tmp_path: Path) -> None:
    source = DIRS[rule_id] / "fail.yaml"
    case = tmp_path / "fail.yaml"
    shutil.copyfile(source, case)
    before = validate_file(case, as_of=AS_OF)
    mine = [f for f in before.findings if f.rule == rule_id and f.edits]
    assert mine, f"{rule_id}: its failing case carries no fix"
    plan = plan_fixes(mine, before.loaded.marks, before.loaded.data, before.loaded.root)
    assert not plan.conflicts, plan.conflicts
    assert apply_fixes(plan) == [case.resolve()]
    after = validate_file(case, as_of=AS_OF)
    fixed = {f.location.path for f in mine}
    left = [
        f
        for f in after.findings
        if f.rule == rule_id and f.severity > Severity.INFO and f.location.path in fixed
    ]
    assert not left, [f.message for f in left]
    new = _signature(after.findings) - _signature(before.findings)
    assert not new, f"fixing {rule_id} brought new findings: {sorted(new)}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_findings_of_one_case_never_ask_for_contradictory_changes(rule_id: str) -> None:
    result = validate_file(DIRS[rule_id] / "fail.yaml", as_of=AS_OF)
    plan = plan_fixes(result.findings, result.loaded.marks, result.loaded.data, result.loaded.root)
    assert not plan.conflicts, plan.conflicts


def test_fixes_keep_comments_and_layout(tmp_path: Path) -> None:
    case = tmp_path / "mailoauth.yaml"
    case.write_text(
        "# the relay of the backup host\n"
        "version: 1\n"
        "providers:\n"
        "  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}\n"
        "apps:\n"
        "  relay-mail: {provider: contoso, client_id: 3a9d5f21-6b7c-4d8e-9f0a-1b2c3d4e5f60}\n"
        "users:\n"
        "  - {email: backup@contoso.com, provider: contoso}  # the only sender\n"
        "targets:\n"
        "  backup:\n"
        "    type: msmtp\n"
        "    app: relay-mail\n"
        "    users: [backup@contoso.com]\n"
        "    sasl_mechanism: oauthbearer   # from an old howto\n"
        "    scopes: [SMTP.Send, offline_access]\n",
        encoding="utf-8",
    )
    result = validate_file(case, as_of=AS_OF)
    plan = plan_fixes(result.findings, result.loaded.marks, result.loaded.data, tmp_path)
    apply_fixes(plan)
    text = case.read_text(encoding="utf-8")
    assert text.startswith("# the relay of the backup host\nversion: 1\n")
    assert "  - {email: backup@contoso.com, provider: contoso}  # the only sender\n" in text
    assert re.search(r"\n    sasl_mechanism: xoauth2 +# from an old howto\n", text), text
    assert "    scopes: [https://outlook.office.com/SMTP.Send, offline_access]\n" in text
    assert not [f for f in validate_file(case, as_of=AS_OF).findings if f.severity > Severity.INFO]


def test_severity_page_is_current() -> None:
    assert severity_doc.main(["--check"]) == 0, (
        "docs/severity.md is stale: run `python -m mailoauth_cfg.rules.severity --write`"
    )


SEVERITY_WORD = re.compile(r"(?:\(|[:→] |\*\*|\b(?:is|as) an? )(error|warning|info)\b", re.I)
"""How a rule's doc says a severity: ``(warning)``, ``: error``, ``→ info``, ``**error**``,
``is a warning``."""


@pytest.mark.parametrize("rule_id", sorted(r.id for r in severity_doc._rules()))
def test_a_rules_doc_names_only_the_severities_it_reports(rule_id: str) -> None:
    rule = next(r for r in severity_doc._rules() if r.id == rule_id)
    levels = {level.name.lower() for level, _ in rule.impacts}
    named = {m.group(1).lower() for m in SEVERITY_WORD.finditer(rule.doc)}
    assert named <= levels, f"{rule_id}: its doc names {sorted(named - levels)}, not reported"
