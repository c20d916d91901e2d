"""The library's exit-code policy and typed object references."""

from __future__ import annotations

import pytest

from mailoauth_cfg.findings import (
    ExitCode,
    Finding,
    Location,
    ObjectRef,
    Report,
    Severity,
    Status,
)


def _finding(severity: Severity, status: Status = Status.FAIL) -> Finding:
    return Finding(
        rule="r", severity=severity, message="m", location=Location("a.yaml", 1, 1), status=status
    )


def _report(*findings: Finding, objects: int = 3) -> Report:
    return Report.build(list(findings), {}, files=["a.yaml"], objects=objects, tool_version="t")


@pytest.mark.parametrize(
    ("findings", "fail_on", "objects", "expected"),
    [
        ((), Severity.ERROR, 3, ExitCode.CLEAN),
        ((_finding(Severity.WARNING),), Severity.ERROR, 3, ExitCode.CLEAN),
        ((_finding(Severity.WARNING),), Severity.WARNING, 3, ExitCode.FINDINGS),
        ((_finding(Severity.INFO),), Severity.INFO, 3, ExitCode.FINDINGS),
        ((_finding(Severity.ERROR, Status.UNKNOWN),), Severity.ERROR, 3, ExitCode.INCOMPLETE),
        # 1 wins over 3
        (
            (_finding(Severity.ERROR, Status.UNKNOWN), _finding(Severity.ERROR)),
            Severity.ERROR,
            3,
            ExitCode.FINDINGS,
        ),
        # a suppressed error does not count
        ((_finding(Severity.ERROR, Status.SUPPRESSED),), Severity.ERROR, 3, ExitCode.CLEAN),
        ((), Severity.ERROR, 0, ExitCode.NOTHING_CHECKED),
        # a file that does not parse is a finding: 1, not 4
        ((_finding(Severity.ERROR),), Severity.ERROR, 0, ExitCode.FINDINGS),
    ],
)
def test_exit_code_policy(
    findings: tuple[Finding, ...], fail_on: Severity, objects: int, expected: ExitCode
) -> None:
    assert _report(*findings, objects=objects).exit_code(fail_on) is expected


def test_object_refs_compare_mailboxes_without_case() -> None:
    assert str(ObjectRef.target("erp")) == "target:erp"
    assert str(ObjectRef.user_entry(2)) == "user:#2"
    assert ObjectRef.user("A@Contoso.com").key == ObjectRef.user("a@contoso.com").key
    assert ObjectRef.app("Erp").key != ObjectRef.app("erp").key
    assert ObjectRef.app("erp") != ObjectRef.target("erp")
