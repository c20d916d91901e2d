"""The truth corpus keeps running: every correct setup is silent, every mistake is caught.

Each case is a test of its own (``tests/truth/cases``; see harness.py for the header format):
a correct setup gives no error and no warning; a mistake gives, for each ``expect`` line, a
finding of one of the listed rules, on that object, with that severity. Where the finding
carries its fix as YAML changes, applying them (``validate --fix``) clears it without a new
error or warning. ``python -m tests.truth -v`` prints the rates and what is missed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mailoauth_cfg.findings import Severity, Status
from mailoauth_cfg.fixing import apply_fixes, plan_fixes
from mailoauth_cfg.validation import validate_file
from tests.truth.harness import Case, cases, describe, measure, run

CASES = cases()


def _fixable(case: Case) -> bool:
    """Whether a caught finding of the mistake carries its fix as YAML changes (the others are
    fixed outside the config: a tenant or a vendor step)."""
    result = validate_file(case.path, as_of=case.as_of)
    return any(
        f.edits and any(f.rule in want.rules for want in case.expect) for f in result.findings
    )


FIXABLE = [c for c in CASES if c.truth == "mistake" and _fixable(c)]


def test_the_corpus_is_large_and_balanced() -> None:
    correct = [c for c in CASES if c.truth == "correct"]
    mistakes = [c for c in CASES if c.truth == "mistake"]
    assert len(correct) >= 50
    assert len(mistakes) >= 60
    assert all(c.source for c in CASES), "every case names where its facts come from"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_holds(case: Case) -> None:
    outcome = run(case)
    assert outcome.ok, "\n".join(describe(outcome))


def test_mistakes_fixed_in_the_config_carry_their_fix() -> None:
    # About half the mistakes are fixed in the config (a scope, an endpoint, a login); the
    # others in the tenant or the application (consent, grants, a secret to create).
    assert len(FIXABLE) >= 30


@pytest.mark.parametrize("case", FIXABLE, ids=lambda c: c.name)
def test_fixes_of_a_caught_mistake_apply(case: Case, tmp_path: Path) -> None:
    copy = tmp_path / case.path.name
    shutil.copyfile(case.path, copy)
    before = validate_file(copy, as_of=case.as_of)
    caught = [
        f
        for f in before.findings
        if f.status is Status.FAIL and f.edits and any(f.rule in want.rules for want in case.expect)
    ]
    plan = plan_fixes(caught, before.loaded.marks, before.loaded.data, before.loaded.root)
    assert not plan.conflicts, plan.conflicts
    apply_fixes(plan)
    after = validate_file(copy, as_of=case.as_of)
    loud = [f for f in after.findings if f.status is Status.FAIL and f.severity > Severity.INFO]
    fixed = {(f.rule, f.location.path) for f in caught}
    assert not [f for f in loud if (f.rule, f.location.path) in fixed], "the fix did not apply"
    before_loud = {(f.rule, f.location.path) for f in before.findings if f.severity > Severity.INFO}
    new = sorted({(f.rule, f.location.path) for f in loud} - before_loud)
    assert not new, f"the fix brought new findings: {new}"


def test_rates() -> None:
    rates = measure(CASES)
    assert rates.catch_rate == 1.0, rates.summary()
    assert rates.false_alarm_rate == 0.0, rates.summary()
