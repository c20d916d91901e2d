"""Rule settings and suppressions, end to end through validate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from mailoauth_cfg.findings import Severity, Status
from mailoauth_cfg.validation import validate_file

AS_OF = dt.date(2026, 11, 22)

BASE = """\
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
apps:
  erp:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {env: ERP, expires: 2026-12-01}
%(suppress)s
%(rules)s
users:
  - {email: erp@contoso.com, provider: contoso}
targets:
  erp:
    type: glpi
    url: https://support.contoso.com
    app: erp
    users: [erp@contoso.com]
"""


def _write(tmp_path: Path, *, suppress: str = "", rules: str = "") -> Path:
    path = tmp_path / "mailoauth.yaml"
    path.write_text(BASE % {"suppress": suppress, "rules": rules}, encoding="utf-8")
    return path


def _only(path: Path, rule: str):
    return [f for f in validate_file(path, as_of=AS_OF).findings if f.rule == rule]


def test_secret_expiring_within_lead_time_is_a_warning(tmp_path: Path) -> None:
    (finding,) = _only(_write(tmp_path), "ms-secret-expiry")
    assert finding.severity is Severity.WARNING
    assert finding.location.line == 8


def test_option_changes_the_lead_time(tmp_path: Path) -> None:
    rules = "rules:\n  ms-secret-expiry: {options: {lead_days: 5}}"
    assert _only(_write(tmp_path, rules=rules), "ms-secret-expiry") == []


def test_severity_override_and_off(tmp_path: Path) -> None:
    rules = "rules:\n  ms-secret-expiry: {severity: error}"
    (finding,) = _only(_write(tmp_path, rules=rules), "ms-secret-expiry")
    assert finding.severity is Severity.ERROR
    rules = "rules:\n  ms-secret-expiry: {severity: 'off'}"
    assert _only(_write(tmp_path, rules=rules), "ms-secret-expiry") == []


def test_bad_option_is_located_at_the_option(tmp_path: Path) -> None:
    rules = "rules:\n  ms-secret-expiry:\n    options: {lead_dayz: 5}"
    (finding,) = _only(_write(tmp_path, rules=rules), "rule-settings-invalid")
    assert (finding.location.line, finding.location.column) == (12, 15)
    assert "lead_dayz" in finding.message


def test_unknown_rule_id_suggests_the_closest(tmp_path: Path) -> None:
    rules = "rules:\n  ms-secret-expiri: {severity: info}"
    (finding,) = _only(_write(tmp_path, rules=rules), "rule-settings-invalid")
    assert "did you mean 'ms-secret-expiry'" in finding.message
    assert (finding.location.line, finding.location.column) == (11, 3)


def test_suppression_with_reason_is_reported_as_suppressed(tmp_path: Path) -> None:
    suppress = (
        "    suppress:\n"
        "      - {rule: ms-secret-expiry, reason: rotation ticket OPS-42, expires: 2026-12-15}"
    )
    path = _write(tmp_path, suppress=suppress)
    (finding,) = _only(path, "ms-secret-expiry")
    assert finding.status is Status.SUPPRESSED
    assert finding.suppression is not None
    assert finding.suppression.reason == "rotation ticket OPS-42"
    result = CliRunner().invoke(
        app, ["validate", str(path), "--as-of", "2026-11-22", "--fail-on", "warning", "-f", "sarif"]
    )
    assert result.exit_code == 0, result.output
    sarif = json.loads(result.stdout)
    (res,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "ms-secret-expiry"]
    assert res["suppressions"][0]["justification"] == "rotation ticket OPS-42"


def test_expired_suppression_lets_the_finding_return(tmp_path: Path) -> None:
    suppress = (
        "    suppress:\n"
        "      - {rule: ms-secret-expiry, reason: rotation ticket OPS-42, expires: 2026-11-01}"
    )
    (finding,) = _only(_write(tmp_path, suppress=suppress), "ms-secret-expiry")
    assert finding.status is Status.FAIL
    assert "suppression expired on 2026-11-01" in finding.message


def test_suppression_needs_a_reason(tmp_path: Path) -> None:
    suppress = "    suppress:\n      - {rule: ms-secret-expiry}"
    findings = validate_file(_write(tmp_path, suppress=suppress), as_of=AS_OF).findings
    assert [f.rule for f in findings] == ["schema-missing-key"]
    assert findings[0].location.line == 10


def test_a_live_rule_goes_through_the_same_loop(tmp_path: Path) -> None:
    """A live rule (declaring the snapshot facts it reads) reads them through ``ctx.facts``;
    the one loop applies its severity override and the object's suppression, and skips it when
    there are no live facts."""
    from collections.abc import Iterator

    from mailoauth_cfg.findings import Finding, ObjectRef
    from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps
    from mailoauth_cfg.live.rules._facts import LiveFacts
    from mailoauth_cfg.live.snapshot import MicrosoftTenant, Snapshot
    from mailoauth_cfg.loading import load_config
    from mailoauth_cfg.model.building import build_config
    from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
    from mailoauth_cfg.rules.engine import run_rules

    def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
        for plan, tenant in microsoft_apps(ctx):
            if tenant.application(plan.app.client_id) is None:
                yield finding(
                    ctx,
                    RULE,
                    f"app {plan.name} is not in the tenant",
                    ("apps", plan.name),
                    fix="register it",
                    object=plan.object,
                    at_key=True,
                )

    RULE = Rule.define(
        "An app is missing from the tenant.",
        id="test-live-app-missing",
        severity=Severity.ERROR,
        check=check,
        options=RuleOptions,
        family=MICROSOFT,
        reads=("applications",),
    )
    assert RULE.live
    tenant = MicrosoftTenant(
        tenant="6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d",
        applications={"1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b": None},
    )
    snapshot = Snapshot(microsoft={"contoso": tenant})

    def run(path: Path, *, live: bool = True) -> list[Finding]:
        loaded = load_config(path)
        config = build_config(loaded).config
        assert config is not None
        facts = LiveFacts(snapshot) if live else None
        return run_rules(config, loaded.marks, as_of=AS_OF, rules=[RULE], facts=facts)

    suppress = "    suppress: [{rule: test-live-app-missing, reason: registered by hand}]"
    rules = "rules:\n  test-live-app-missing: {severity: warning}"
    (found,) = run(_write(tmp_path, rules=rules))
    assert (found.object, found.severity, found.status) == (
        ObjectRef.app("erp"),
        Severity.WARNING,
        Status.FAIL,
    )
    assert run(_write(tmp_path, rules=rules), live=False) == []
    (found,) = run(_write(tmp_path, suppress=suppress, rules=rules))
    assert found.status is Status.SUPPRESSED


def test_a_former_rule_id_is_reported_with_its_new_id(tmp_path: Path) -> None:
    """Settings and suppressions naming a merged rule say which rule took it over."""
    suppress = "    suppress: [{rule: glpi-version, reason: old GLPI is replaced next month}]"
    rules = "rules:\n  msmtp-version: {severity: warning}"
    found = _only(_write(tmp_path, suppress=suppress, rules=rules), "rule-settings-invalid")
    assert sorted(f.message for f in found) == [
        "rule 'glpi-version' is now part of 'target-version', which checks every target kind "
        "the same way",
        "rule 'msmtp-version' is now part of 'target-version', which checks every target kind "
        "the same way",
    ]
    assert {f.location.line for f in found} == {9, 11}
    assert all("'target-version'" in f.fix for f in found)


def test_options_left_unset_are_the_defaults_without_building_a_validator(tmp_path: Path) -> None:
    """Start-up: a rule whose options the config does not set gets its defaults constructed;
    its options model is built only when options are given (and then checked as before)."""
    import subprocess
    import sys

    probe = (
        "import datetime as dt, sys\n"
        "from mailoauth_cfg.validation import validate_file\n"
        "from mailoauth_cfg.rules.microsoft import ms_secret_expiry as rule\n"
        "found = validate_file(sys.argv[1], as_of=dt.date(2026, 11, 22)).findings\n"
        "shown = ('ms-secret-expiry', 'rule-settings-invalid')\n"
        "rules = sorted(f.rule for f in found if f.rule in shown)\n"
        "print(rule.Options.__pydantic_complete__, rules)\n"
    )
    plain = _write(tmp_path)
    (tmp_path / "set").mkdir()
    given = _write(tmp_path / "set", rules="rules:\n  ms-secret-expiry: {options: {lead_days: 5}}")
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout.strip()
        for path in (plain, given)
    ]
    assert runs == ["False ['ms-secret-expiry']", "True []"]


def test_every_rules_default_options_are_what_validating_nothing_gives() -> None:
    """The engine constructs the defaults of options a config leaves unset; that is only
    right while validating ``{}`` gives the same (no required option, no validator)."""
    from mailoauth_cfg.live.rules import LIVE_RULES
    from mailoauth_cfg.rules import all_rules

    rules = (*all_rules(), *LIVE_RULES)
    with_options = [rule for rule in rules if rule.options.model_fields]
    assert len(with_options) >= 5
    for rule in rules:
        assert rule.options.model_construct() == rule.options.model_validate({}), rule.id
