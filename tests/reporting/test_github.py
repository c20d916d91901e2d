"""GitHub Actions reporter: exact workflow commands and escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailoauth_cfg.findings import Finding, Location, Report, Severity, Status
from mailoauth_cfg.reporting import github
from tests.reporting.conftest import build

EXPECTED = [
    "::error file=config/google.yaml,line=5,col=1,title=scope-missing (unknown)::"
    "Cannot verify scope https://mail.google.com/ for svc@p.iam"
    "%0AFix: gcloud alpha iam ..., then re-run",
    "::warning file=config/google.yaml,line=8,title=dup-client::"
    "Client id reused 100%25 (also in tenant.yaml)%0D%0Aduplicate",
    "::notice file=config/tenant.yaml,title=tenant-info::"
    "Tenant: Müller GmbH — 3 apps%0Asecond line: 'quoted'",
    "::error file=config/tenant.yaml,line=12,col=7,title=app-secret-expired::"
    'Secret of "erp-mail" expired <2024-01-01> & must be rotated'
    "%0AFix: Entra ID > App registrations > erp-mail > Certificates & secrets",
    "1 error, 1 warning, 1 info, 1 unknown, 1 suppressed in 2 files (14 objects checked)",
]


def test_full_output_exact(report: Report, tmp_path: Path) -> None:
    assert github.render(report, base_dir=tmp_path) == "\n".join(EXPECTED) + "\n"


def test_suppressed_findings_are_not_annotated(report: Report, tmp_path: Path) -> None:
    out = github.render(report, base_dir=tmp_path)
    assert "smtp-auth-enabled" not in out
    assert "legacy scanner" not in out


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("%0A", "%250A", "%250A"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
        ("é=€", "é=€", "é=€"),
    ],
)
def test_escaping_matches_actions_toolkit(raw: str, data: str, prop: str) -> None:
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_properties_are_escaped_and_injection_is_impossible(tmp_path: Path) -> None:
    finding = Finding(
        "rule,x:y",
        Severity.WARNING,
        "line one\n::error::injected",
        Location("dir, with: colon/f.yaml", 4, 2),
        fix="do this",
    )
    out = github.render(build([finding], files=["f"], objects=1), base_dir=tmp_path)
    assert out.splitlines()[0] == (
        "::warning file=dir%2C with%3A colon/f.yaml,line=4,col=2,title=rule%2Cx%3Ay::"
        "line one%0A::error::injected%0AFix: do this"
    )
    assert len(out.splitlines()) == 2


def test_paths_relative_to_base_and_unknown_parts_left_out(tmp_path: Path) -> None:
    outside = str(tmp_path / "other" / "o.yaml")
    items = [
        Finding("a", Severity.INFO, "m", Location(str(tmp_path / "repo" / "in.yaml"), 3, 0)),
        Finding("b", Severity.ERROR, "m", Location(outside, 0, 9)),
        Finding("c", Severity.ERROR, "m", Location(""), status=Status.UNKNOWN),
    ]
    out = github.render(build(items, files=[], objects=0), base_dir=tmp_path / "repo")
    assert out.splitlines()[:3] == [
        "::error title=c (unknown)::m",
        f"::error file={github.escape_property(outside)},title=b::m",
        "::notice file=in.yaml,line=3,title=a::m",
    ]


def test_no_findings_is_just_the_summary(empty_report: Report) -> None:
    assert github.render(empty_report) == (
        "0 errors, 0 warnings, 0 info, 0 unknown, 0 suppressed in 1 file (1 object checked)\n"
    )
