"""JUnit XML report, for CI systems that display test results.

* One ``<testsuite>`` per file (sorted by file name), one ``<testcase>`` per finding,
  ``classname`` = file, ``name`` = ``"<rule> <location.path or object>"`` (a ``[2]``,
  ``[3]`` … suffix keeps repeated names within a suite distinct).
* Failing findings of every severity, info included, are ``<failure type="<rule>">``:
  they are findings, and the body says the severity.
* Suppressed findings are ``<skipped message="suppressed: reason (until DATE)">``.
* Unknown findings are ``<error type="<rule>">``: an unverifiable check must not look
  like a pass.
* With no findings there is a single suite ``mailoauth-cfg`` with one passing test case
  ``all checks`` so that CI shows that the check ran.

The result is a ``str`` beginning with ``<?xml version="1.0" encoding="UTF-8"?>``; write
it as UTF-8. Characters XML 1.0 cannot carry are shown as ``\\xNN`` escapes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mailoauth_cfg.findings import Finding, Report, Status
from mailoauth_cfg.reporting._common import TOOL_NAME, format_location, xml_safe

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def render(report: Report) -> str:
    """Render ``report`` as pretty-printed JUnit XML with an XML declaration."""
    root = ET.Element("testsuites", {"name": TOOL_NAME})
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.location.file, []).append(finding)
    if by_file:
        for file in sorted(by_file):
            _suite(root, file, by_file[file])
    else:
        suite = ET.SubElement(root, "testsuite", {"name": TOOL_NAME})
        ET.SubElement(suite, "testcase", {"classname": TOOL_NAME, "name": "all checks"})
        _set_counts(suite)
    _set_counts(root)
    ET.indent(root, space="  ")
    return XML_DECLARATION + "\n" + ET.tostring(root, encoding="unicode") + "\n"


def _suite(root: ET.Element, file: str, findings: list[Finding]) -> None:
    suite = ET.SubElement(root, "testsuite", {"name": xml_safe(file)})
    seen: dict[str, int] = {}
    for finding in findings:
        base_name = " ".join(
            part for part in (finding.rule, finding.location.path or finding.object_name) if part
        )
        seen[base_name] = seen.get(base_name, 0) + 1
        name = base_name if seen[base_name] == 1 else f"{base_name} [{seen[base_name]}]"
        case = ET.SubElement(
            suite, "testcase", {"classname": xml_safe(file), "name": xml_safe(name)}
        )
        _outcome(case, finding)
    _set_counts(suite)


def _outcome(case: ET.Element, finding: Finding) -> None:
    if finding.status is Status.SUPPRESSED:
        ET.SubElement(case, "skipped", {"message": xml_safe(_skip_message(finding))})
        return
    tag = "error" if finding.status is Status.UNKNOWN else "failure"
    element = ET.SubElement(
        case, tag, {"type": xml_safe(finding.rule), "message": xml_safe(finding.message)}
    )
    element.text = xml_safe(_body(finding))


def _skip_message(finding: Finding) -> str:
    suppression = finding.suppression
    if suppression is None:
        return "suppressed"
    message = f"suppressed: {suppression.reason}" if suppression.reason else "suppressed"
    if suppression.expires:
        message += f" (until {suppression.expires})"
    return message


def _body(finding: Finding) -> str:
    location = format_location(finding.location)
    if finding.location.path:
        location += f" ({finding.location.path})"
    lines = [location, f"{finding.severity.label} {finding.rule}: {finding.message}"]
    if finding.status is Status.UNKNOWN:
        lines.append("status: unknown (could not be verified)")
    if finding.object:
        lines.append(f"object: {finding.object}")
    if finding.fix:
        lines.append(f"fix: {finding.fix}")
    if finding.help:
        lines.append(f"help: {finding.help}")
    lines.extend(f"see also: {format_location(related)}" for related in finding.related)
    return "\n".join(lines)


def _set_counts(element: ET.Element) -> None:
    """Set tests/failures/errors/skipped on a suite (or on the root, over all suites)."""
    cases = list(element.iter("testcase"))
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    element.set("errors", str(sum(1 for case in cases if case.find("error") is not None)))
    element.set("skipped", str(sum(1 for case in cases if case.find("skipped") is not None)))
