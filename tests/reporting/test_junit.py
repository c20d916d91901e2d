"""JUnit reporter: parseable XML, counts, outcomes, escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mailoauth_cfg.findings import Finding, Location, Report, Severity
from mailoauth_cfg.reporting import junit
from tests.reporting.conftest import (
    DUP_MESSAGE,
    GOOGLE,
    SECRET_FIX,
    SECRET_MESSAGE,
    TENANT,
    TENANT_MESSAGE,
    build,
)


def _parse(out: str) -> ET.Element:
    return ET.fromstring(out.encode("utf-8"))  # noqa: S314 (our own output, not untrusted)


def _counts(element: ET.Element) -> dict[str, str]:
    keys = ("tests", "failures", "errors", "skipped")
    return {key: element.attrib[key] for key in keys if key in element.attrib}


def test_declaration_and_root(report: Report) -> None:
    out = junit.render(report)
    assert out.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mailoauth-cfg"'
    )
    root = _parse(out)
    assert root.tag == "testsuites"
    assert root.attrib["name"] == "mailoauth-cfg"
    # <testsuites> has no skipped attribute in the JUnit schema; the suites carry it
    assert _counts(root) == {"tests": "5", "failures": "3", "errors": "1"}


def test_one_sorted_suite_per_file(report: Report) -> None:
    suites = _parse(junit.render(report)).findall("testsuite")
    assert [s.attrib["name"] for s in suites] == [GOOGLE, TENANT]
    assert _counts(suites[0]) == {"tests": "2", "failures": "1", "errors": "1", "skipped": "0"}
    assert _counts(suites[1]) == {"tests": "3", "failures": "2", "errors": "0", "skipped": "1"}
    for suite in suites:
        for case in suite.findall("testcase"):
            assert case.attrib["classname"] == suite.attrib["name"]


def _cases(report: Report) -> dict[str, ET.Element]:
    root = _parse(junit.render(report))
    return {case.attrib["name"]: case for case in root.iter("testcase")}


def test_outcomes(report: Report) -> None:
    cases = _cases(report)
    assert sorted(cases) == [
        "app-secret-expired apps.erp-mail.secret",
        "dup-client",
        "scope-missing targets.gmail",
        "smtp-auth-enabled users[0].smtp_auth",
        "tenant-info",
    ]
    assert [child.tag for child in cases["tenant-info"]] == ["failure"]  # info is a failure too
    assert [child.tag for child in cases["dup-client"]] == ["failure"]
    assert [child.tag for child in cases["scope-missing targets.gmail"]] == ["error"]
    skipped = list(cases["smtp-auth-enabled users[0].smtp_auth"])
    assert [child.tag for child in skipped] == ["skipped"]
    assert skipped[0].attrib == {
        "message": "suppressed: legacy scanner, ticket #42 (until 2025-06-30)"
    }


def test_failure_attributes_and_body_survive_escaping(report: Report) -> None:
    failure = _cases(report)["app-secret-expired apps.erp-mail.secret"].find("failure")
    assert failure is not None
    assert failure.attrib == {"type": "app-secret-expired", "message": SECRET_MESSAGE}
    assert failure.text == (
        "config/tenant.yaml:12:7 (apps.erp-mail.secret)\n"
        f"error app-secret-expired: {SECRET_MESSAGE}\n"
        "object: app:erp-mail\n"
        f"fix: {SECRET_FIX}\n"
        "help: https://example.com/rules/app-secret-expired"
    )
    out = junit.render(report)
    assert "&lt;2024-01-01&gt; &amp; must" in out


def test_newlines_and_non_ascii_in_attributes_round_trip(report: Report) -> None:
    cases = _cases(report)
    info = cases["tenant-info"].find("failure")
    dup = cases["dup-client"].find("failure")
    assert info is not None
    assert dup is not None
    assert info.attrib["message"] == TENANT_MESSAGE
    assert dup.attrib["message"] == DUP_MESSAGE
    assert dup.text is not None
    assert dup.text.endswith("see also: config/tenant.yaml:12:7\nsee also: config/tenant.yaml")


def test_unknown_is_an_error_with_status_in_body(report: Report) -> None:
    error = _cases(report)["scope-missing targets.gmail"].find("error")
    assert error is not None
    assert error.attrib["type"] == "scope-missing"
    assert error.text is not None
    assert "status: unknown (could not be verified)" in error.text.splitlines()


def test_no_findings_gives_one_passing_case(empty_report: Report) -> None:
    out = junit.render(empty_report)
    assert out == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="mailoauth-cfg" tests="1" failures="0" errors="0">\n'
        '  <testsuite name="mailoauth-cfg" tests="1" failures="0" errors="0" skipped="0">\n'
        '    <testcase classname="mailoauth-cfg" name="all checks" />\n'
        "  </testsuite>\n"
        "</testsuites>\n"
    )
    _parse(out)


def test_repeated_names_are_numbered_and_illegal_xml_chars_escaped() -> None:
    items = [
        Finding("r", Severity.ERROR, "bell\x07 nul\x00 \ufffe", Location("a.yaml", n, 1, "p"))
        for n in (1, 2, 3)
    ]
    root = _parse(junit.render(build(items, files=["a.yaml"], objects=1)))
    names = [case.attrib["name"] for case in root.iter("testcase")]
    assert names == ["r p", "r p [2]", "r p [3]"]
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.attrib["message"] == "bell\\x07 nul\\x00 \\ufffe"
