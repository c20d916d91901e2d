"""Text reporter: exact lines, markers, pluralisation, colour."""

from __future__ import annotations

import re

import pytest

from mailoauth_cfg.findings import Finding, Location, Report, Severity, Summary, Suppression
from mailoauth_cfg.reporting import text
from mailoauth_cfg.reporting._common import summary_line
from tests.reporting.conftest import build

EXPECTED = """\
config/google.yaml
  config/google.yaml:5:1: error scope-missing: Cannot verify scope https://mail.google.com/ for svc@p.iam (unknown)
    fix: gcloud alpha iam ..., then re-run
  config/google.yaml:8: warning dup-client: Client id reused 100% (also in tenant.yaml)
    duplicate
    see also: config/tenant.yaml:12:7
    see also: config/tenant.yaml

config/tenant.yaml
  config/tenant.yaml: info tenant-info: Tenant: Müller GmbH — 3 apps
    second line: 'quoted'
  config/tenant.yaml:12:7: error app-secret-expired: Secret of "erp-mail" expired <2024-01-01> & must be rotated
    fix: Entra ID > App registrations > erp-mail > Certificates & secrets
    help: https://example.com/rules/app-secret-expired
  config/tenant.yaml:30:3: warning smtp-auth-enabled: SMTP AUTH enabled for users: a@example.com, b@example.com (suppressed: legacy scanner, ticket #42, until 2025-06-30)
    fix: Set-CASMailbox -SmtpClientAuthenticationDisabled $true

1 error, 1 warning, 1 info, 1 unknown, 1 suppressed in 2 files (14 objects checked)
"""  # noqa: E501

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_full_report_exact(report: Report) -> None:
    assert text.render(report) == EXPECTED


def test_no_colour_codes_unless_asked(report: Report) -> None:
    assert "\x1b" not in text.render(report)


def test_colour_only_adds_sgr_codes(report: Report) -> None:
    coloured = text.render(report, color=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b[33mwarning\x1b[0m" in coloured
    assert "\x1b[36minfo\x1b[0m" in coloured
    assert "\x1b[35m(unknown)\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == EXPECTED


def test_no_findings(empty_report: Report) -> None:
    assert text.render(empty_report) == (
        "No problems found.\n"
        "0 errors, 0 warnings, 0 info, 0 unknown, 0 suppressed in 1 file (1 object checked)\n"
    )


def test_no_findings_coloured_summary_is_green(empty_report: Report) -> None:
    assert text.render(empty_report, color=True).endswith("(1 object checked)\x1b[0m\n")


@pytest.mark.parametrize(
    ("summary", "line"),
    [
        (
            Summary(1, 1, 1, 1, 1, 1, 1),
            "1 error, 1 warning, 1 info, 1 unknown, 1 suppressed in 1 file (1 object checked)",
        ),
        (
            Summary(2, 3, 4, 5, 6, 7, 8),
            "2 errors, 3 warnings, 4 info, 5 unknown, 6 suppressed in 7 files (8 objects checked)",
        ),
        (
            Summary(0, 0, 0, 0, 0, 0, 0),
            "0 errors, 0 warnings, 0 info, 0 unknown, 0 suppressed in 0 files (0 objects checked)",
        ),
    ],
)
def test_summary_pluralisation(summary: Summary, line: str) -> None:
    assert summary_line(summary) == line


def _one(finding: Finding) -> list[str]:
    return text.render(build([finding], files=[finding.location.file], objects=1)).splitlines()


def test_suppressed_without_expiry_or_reason() -> None:
    base = Finding("r", Severity.ERROR, "m", Location("a.yaml", 1, 2))
    assert _one(base.suppressed(Suppression("because")))[1] == (
        "  a.yaml:1:2: error r: m (suppressed: because)"
    )
    assert _one(base.suppressed(Suppression("")))[1] == "  a.yaml:1:2: error r: m (suppressed)"
    assert _one(base.suppressed(Suppression("", "2030-01-01")))[1] == (
        "  a.yaml:1:2: error r: m (suppressed: until 2030-01-01)"
    )


def test_marker_goes_after_last_line_of_multiline_message() -> None:
    finding = Finding("r", Severity.INFO, "one\ntwo", Location("a.yaml", 3, 0))
    lines = _one(finding.suppressed(Suppression("ok")))
    assert lines[1:3] == ["  a.yaml:3: info r: one", "    two (suppressed: ok)"]


def test_multiline_fix_is_aligned_under_label() -> None:
    finding = Finding("r", Severity.WARNING, "m", Location("a.yaml"), fix="step 1\nstep 2")
    assert _one(finding)[1:4] == ["  a.yaml: warning r: m", "    fix: step 1", "         step 2"]


def test_terminal_control_characters_are_escaped() -> None:
    finding = Finding("r", Severity.ERROR, "evil \x1b[2J\rover\x07", Location("a\x1b.yaml", 1, 1))
    lines = _one(finding)
    assert lines[0] == "a\\x1b.yaml"
    assert lines[1] == "  a\\x1b.yaml:1:1: error r: evil \\x1b[2J\\x0dover\\x07"
    assert "\x1b" not in "".join(lines)


def test_visible_escapes_exactly_the_control_and_surrogate_code_points() -> None:
    """`visible` tests categories Cc and Cs by their ranges; Unicode's own database agrees on
    every code point (both categories are closed: no character ever joins them)."""
    import unicodedata

    from mailoauth_cfg.reporting._common import visible

    every = [chr(code) for code in range(0x110000)]
    expected = {ch for ch in every if unicodedata.category(ch) in ("Cc", "Cs")} - {"\n", "\t"}
    assert {ch for ch in every if visible(ch) != ch} == expected
    assert visible("a\x1bb\x85\tc\n") == "a\\x1bb\\x85\tc\n"
