"""The truth corpus: realistic configs, each a correct setup or a real-world mistake.

Every file in ``cases/`` starts with a comment header::

    # truth: correct | mistake
    # case: what the config is
    # source: where the facts come from (vendor docs, public issue threads, reference notes)
    # expect: <object>[|<object>] <severity> <rule>[|<rule>...]   (mistakes; one or more)
    # as-of: YYYY-MM-DD                                   (optional; default 2026-11-22)

A **correct** setup must give no error and no warning. A **mistake** is *caught* when, for
every ``expect`` line, a failing finding names that object, has exactly that severity and is
reported by one of the listed rules. The corpus was written from the facts (vendor
documentation, the reference notes, public issue threads), not from the rules' code, and is
measured with :func:`measure`; ``python -m tests.truth`` prints the rates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parent / "cases"
DEFAULT_AS_OF = dt.date(2026, 11, 22)
_HEADER = re.compile(r"^#\s*([a-z-]+):\s*(.*?)\s*$")


@dataclass(frozen=True)
class Expectation:
    """One finding a mistake must produce (on one of ``objects``: a mismatch between two
    objects may be reported on either end)."""

    objects: tuple[str, ...]
    severity: str
    rules: tuple[str, ...]

    def __str__(self) -> str:
        return f"{'|'.join(self.objects)} {self.severity} {'|'.join(self.rules)}"


@dataclass(frozen=True)
class Case:
    """One corpus file and what it must give."""

    path: Path
    truth: str
    summary: str
    source: str
    expect: tuple[Expectation, ...]
    as_of: dt.date

    @property
    def name(self) -> str:
        return self.path.stem


def parse(path: Path) -> Case:
    """Read the header of a case file."""
    fields: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line)
        if match is None:
            break
        fields.setdefault(match.group(1), []).append(match.group(2))
    truth = fields.get("truth", [""])[0]
    if truth not in ("correct", "mistake"):
        raise ValueError(f"{path.name}: `# truth:` must be correct or mistake")
    expect = []
    for text in fields.get("expect", []):
        obj, severity, rules = text.split()
        expect.append(Expectation(tuple(obj.split("|")), severity, tuple(rules.split("|"))))
    if truth == "mistake" and not expect:
        raise ValueError(f"{path.name}: a mistake needs `# expect:` lines")
    if truth == "correct" and expect:
        raise ValueError(f"{path.name}: a correct setup expects nothing")
    as_of = dt.date.fromisoformat(fields["as-of"][0]) if "as-of" in fields else DEFAULT_AS_OF
    return Case(
        path=path,
        truth=truth,
        summary=fields.get("case", [""])[0],
        source=fields.get("source", [""])[0],
        expect=tuple(expect),
        as_of=as_of,
    )


def cases() -> list[Case]:
    """Every case of the corpus, sorted by file name."""
    return [parse(p) for p in sorted(CASES.glob("*.yaml"))]


@dataclass
class Outcome:
    """What validation gave for one case."""

    case: Case
    findings: list[Any]
    missing: list[Expectation] = field(default_factory=list)
    alarms: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.alarms


def _failing(findings: list[Any]) -> list[Any]:
    return [f for f in findings if getattr(f.status, "value", str(f.status)) == "fail"]


def judge(case: Case, findings: list[Any]) -> Outcome:
    """Compare findings with the case's truth."""
    failing = _failing(findings)
    outcome = Outcome(case, findings)
    if case.truth == "correct":
        outcome.alarms = [f for f in failing if f.severity.label in ("error", "warning")]
        return outcome
    for want in case.expect:
        if not any(
            f.rule in want.rules
            and f.object is not None
            and str(f.object) in want.objects
            and f.severity.label == want.severity
            for f in failing
        ):
            outcome.missing.append(want)
    return outcome


def run(case: Case) -> Outcome:
    """Validate the case offline and judge it."""
    from mailoauth_cfg.validation import validate_file

    result = validate_file(case.path, as_of=case.as_of)
    return judge(case, list(result.findings))


@dataclass(frozen=True)
class Rates:
    """The corpus's numbers."""

    mistakes: int
    caught: int
    correct: int
    false_alarms: int
    outcomes: tuple[Outcome, ...]

    @property
    def catch_rate(self) -> float:
        return self.caught / self.mistakes if self.mistakes else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.correct if self.correct else 0.0

    def summary(self) -> str:
        return (
            f"truth corpus: {self.mistakes} mistakes, {self.correct} correct setups\n"
            f"catch rate: {self.caught}/{self.mistakes} = {self.catch_rate:.0%}\n"
            f"false-alarm rate: {self.false_alarms}/{self.correct} = "
            f"{self.false_alarm_rate:.0%}"
        )


def measure(selected: list[Case] | None = None) -> Rates:
    """Run every case and count."""
    outcomes = tuple(run(c) for c in (cases() if selected is None else selected))
    mistakes = [o for o in outcomes if o.case.truth == "mistake"]
    correct = [o for o in outcomes if o.case.truth == "correct"]
    return Rates(
        mistakes=len(mistakes),
        caught=sum(1 for o in mistakes if not o.missing),
        correct=len(correct),
        false_alarms=sum(1 for o in correct if o.alarms),
        outcomes=outcomes,
    )


def describe(outcome: Outcome) -> list[str]:
    """Lines explaining a missed mistake or a false alarm."""
    lines = [f"{outcome.case.name}: {outcome.case.summary}"]
    for want in outcome.missing:
        lines.append(f"  missed: {want}")
    for f in outcome.alarms:
        lines.append(f"  false alarm: {f.severity.label} {f.rule} {f.object}: {f.message}")
    if outcome.missing:
        for f in _failing(outcome.findings):
            lines.append(f"    got: {f.severity.label} {f.rule} {f.object}: {f.message[:110]}")
    return lines
