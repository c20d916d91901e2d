"""JUnit reports as their consumers read them: Jenkins' xUnit plugin and GitLab.

**Jenkins.** The xUnit plugin validates JUnit reports against its ``junit-10.xsd``. pytest's
source distribution ships that XSD (``testing/example_scripts/junit-10.xsd``); the copy there
declares one attribute more than the plugin's current file (``version`` on ``<testsuite>``)
and a stricter ``time`` pattern, so the test removes that attribute before validating, with
lxml (libxml2's XML Schema validator). ``scripts/test-tools`` puts the file in tests/tools/.

**GitLab.** No GitLab code installs from a registry, so :func:`gitlab_cases` reads a report
the way GitLab's documentation of unit test reports says it does (and its parser is written):
only one top-level ``<testsuites>``, test cases at any depth of ``<testsuite>``; a case's
``classname`` is shown as its suite, with its ``name`` and ``file``; its status is the first
of ``failure``, ``error``, ``skipped`` present; the element's content is the output shown (an
element that also has attributes becomes a hash, not text); and of cases with the same suite
name, class name and name only the first is kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mailoauth_cfg.findings import Finding, Location, Report, Severity, Status
from mailoauth_cfg.reporting import junit
from tests.conftest import EXAMPLE_DIR
from tests.reporting.conftest import GOOGLE, TENANT, build
from tests.tools import JUNIT_XSD, require_file

XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.fixture(scope="module")
def jenkins_schema() -> etree.XMLSchema:
    document = etree.parse(str(require_file(JUNIT_XSD, "Jenkins' junit-10.xsd")))
    suite = document.find(f"{XS}element[@name='testsuite']")
    assert suite is not None
    for attribute in suite.iter(f"{XS}attribute"):
        if attribute.get("name") == "version":  # not in the xUnit plugin's current copy
            attribute.getparent().remove(attribute)
    return etree.XMLSchema(document)


def _validate(schema: etree.XMLSchema, text: str) -> None:
    document = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(document), schema.error_log


def _broken_example_report(tmp_path: Path) -> Report:
    """The broken example: dozens of findings over several files, through the real pipeline."""
    import datetime as dt

    from mailoauth_cfg.validation import build_report, validate_file

    broken = EXAMPLE_DIR.parent / "broken" / "mailoauth.yaml"
    result = validate_file(broken, as_of=dt.date(2026, 11, 22))
    return build_report([result], tool_version="0.0.0")


def test_report_with_every_status_is_valid_for_jenkins(
    jenkins_schema: etree.XMLSchema, report: Report
) -> None:
    _validate(jenkins_schema, junit.render(report))


def test_empty_report_is_valid_for_jenkins(
    jenkins_schema: etree.XMLSchema, empty_report: Report
) -> None:
    _validate(jenkins_schema, junit.render(empty_report))


def test_real_findings_are_valid_for_jenkins(
    jenkins_schema: etree.XMLSchema, tmp_path: Path
) -> None:
    report = _broken_example_report(tmp_path)
    assert len(report.findings) > 20
    _validate(jenkins_schema, junit.render(report))


def test_the_schema_refuses_what_jenkins_refuses(
    jenkins_schema: etree.XMLSchema, report: Report
) -> None:
    """The checks above can fail: skipped on <testsuites> and file on a case are refused."""
    text = junit.render(report)
    skipped = text.replace('<testsuites name="mailoauth-cfg"', '<testsuites skipped="0"', 1)
    assert not jenkins_schema.validate(etree.fromstring(skipped.encode("utf-8")))
    gitlab = junit.render(report, flavour="gitlab")
    assert not jenkins_schema.validate(etree.fromstring(gitlab.encode("utf-8")))


# --- GitLab -------------------------------------------------------------------------------


def _from_xml(element: Any) -> Any:
    """An element as ActiveSupport's ``Hash.from_xml`` gives it (what GitLab's parser reads)."""
    children = list(element)
    if not children and not element.attrib:
        return element.text or ""
    value: dict[str, Any] = dict(element.attrib)
    for child in children:
        item = _from_xml(child)
        if child.tag in value:
            previous = value[child.tag]
            value[child.tag] = [*previous, item] if isinstance(previous, list) else [previous, item]
        else:
            value[child.tag] = item
    if element.text and element.text.strip():
        value["__content__"] = element.text
    return value


def gitlab_cases(text: str) -> list[dict[str, Any]]:
    """The test cases GitLab shows for a JUnit report (see the module docstring)."""
    root = etree.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites", "GitLab reads one top-level <testsuites>"
    cases: dict[tuple[str, str, str], dict[str, Any]] = {}

    def walk(suite: Any) -> None:
        for node in suite.findall("testcase"):
            data = _from_xml(node)
            assert isinstance(data, dict)
            if "failure" in data:
                status, output = "failed", data["failure"]
            elif "error" in data:
                status, output = "error", data["error"]
            elif "skipped" in data:
                status, output = "skipped", data["skipped"]
            else:
                status, output = "success", None
            case = {
                "suite_name": suite.get("name"),
                "classname": data.get("classname"),
                "name": data.get("name"),
                "file": data.get("file"),
                "status": status,
                "system_output": output,
            }
            key = (str(case["suite_name"]), str(case["classname"]), str(case["name"]))
            cases.setdefault(key, case)  # duplicates: only the first is used
        for child in suite.findall("testsuite"):
            walk(child)

    for suite in root.findall("testsuite"):
        walk(suite)
    return list(cases.values())


def test_gitlab_shows_every_finding_with_its_file_and_line(report: Report, tmp_path: Path) -> None:
    cases = gitlab_cases(junit.render(report, flavour="gitlab", base_dir=tmp_path))
    assert len(cases) == len(report.findings)
    by_status: dict[str, int] = {}
    for case in cases:
        by_status[case["status"]] = by_status.get(case["status"], 0) + 1
        assert case["file"] in (GOOGLE, TENANT)
        assert case["classname"] == case["file"]
    assert by_status == {"failed": 3, "error": 1, "skipped": 1}
    for finding in report.findings:
        shown = [
            c
            for c in cases
            if c["file"] == finding.location.file
            and c["name"].startswith(finding.rule)
            and (finding.location.line == 0 or f"(line {finding.location.line})" in c["name"])
        ]
        assert shown, finding
        output = shown[0]["system_output"]
        assert isinstance(output, str), "GitLab shows element content only as text"
        if finding.status is not Status.SUPPRESSED:
            assert finding.message.replace("\r\n", "\n") in output  # XML reads CRLF as LF
            if finding.fix:
                assert f"fix: {finding.fix}" in output


def test_gitlab_keeps_same_rule_on_one_line_distinct(tmp_path: Path) -> None:
    same = [
        Finding(
            rule="dup",
            severity=Severity.ERROR,
            message=f"problem {n}",
            location=Location("a.yaml", 3, 1, "apps.x"),
        )
        for n in range(3)
    ]
    cases = gitlab_cases(
        junit.render(build(same, files=["a.yaml"]), flavour="gitlab", base_dir=tmp_path)
    )
    assert len(cases) == 3


def test_gitlab_file_is_relative_to_the_repository(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    shutil.copytree(EXAMPLE_DIR.parent / "broken", repository / "mail")
    inside = Finding(
        rule="r",
        severity=Severity.WARNING,
        message="m",
        location=Location(str(repository / "mail" / "mailoauth.yaml"), 7, 2, "apps"),
    )
    (case,) = gitlab_cases(
        junit.render(build([inside], files=[]), flavour="gitlab", base_dir=repository)
    )
    assert case["file"] == "mail/mailoauth.yaml"
    assert (repository / case["file"]).is_file()
