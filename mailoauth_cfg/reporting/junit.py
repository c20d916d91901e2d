"""JUnit XML reports, for CI systems that display test results, in two flavours.

``junit`` is strictly valid against the JUnit schema of Jenkins' xUnit plugin
(``junit-10.xsd``), which that plugin checks reports against: ``<testsuites>`` carries only
``name``, ``tests``, ``failures`` and ``errors``, and ``<testcase>`` only ``name`` and
``classname``. ``junit-gitlab`` follows GitLab's unit test report format instead: GitLab shows a
test case's ``classname`` as its suite, its ``name`` and its ``file`` (which that XSD does not
allow), takes a ``<failure>``'s element content as the output shown, and keeps only the first
of test cases with the same suite, class name and name. So there each test case carries
``file`` (relative to the current directory, the repository in CI), its name ends with the
finding's line, and failure text sits in the element content without attributes.

Common to both:

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
from pathlib import Path

from mailoauth_cfg.findings import Finding, Report, Status
from mailoauth_cfg.reporting._common import TOOL_NAME, format_location, relative_posix, xml_safe

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


FLAVOURS = ("jenkins", "gitlab")


def render(report: Report, *, flavour: str = "jenkins", base_dir: Path | None = None) -> str:
    """Render ``report`` as pretty-printed JUnit XML with an XML declaration.

    ``flavour`` is ``jenkins`` (the ``junit`` format) or ``gitlab`` (``junit-gitlab``);
    ``base_dir`` (default: the current directory) is what GitLab ``file`` paths are relative to.
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, not {flavour!r}")
    gitlab = flavour == "gitlab"
    base = Path.cwd() if base_dir is None else base_dir
    root = ET.Element("testsuites", {"name": TOOL_NAME})
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.location.file, []).append(finding)
    if by_file:
        for file in sorted(by_file):
            _suite(root, file, by_file[file], gitlab=gitlab, base=base)
    else:
        suite = ET.SubElement(root, "testsuite", {"name": TOOL_NAME})
        ET.SubElement(suite, "testcase", {"classname": TOOL_NAME, "name": "all checks"})
        _set_counts(suite)
    _set_counts(root, root=True)
    ET.indent(root, space="  ")
    return XML_DECLARATION + "\n" + ET.tostring(root, encoding="unicode") + "\n"


def _suite(
    root: ET.Element, file: str, findings: list[Finding], *, gitlab: bool, base: Path
) -> None:
    suite = ET.SubElement(root, "testsuite", {"name": xml_safe(file)})
    relative = relative_posix(file, base)
    shown_file = str(relative) if relative is not None else file
    seen: dict[str, int] = {}
    for finding in findings:
        base_name = " ".join(
            part for part in (finding.rule, finding.location.path or finding.object_name) if part
        )
        if gitlab and finding.location.line > 0:
            base_name += f" (line {finding.location.line})"
        seen[base_name] = seen.get(base_name, 0) + 1
        name = base_name if seen[base_name] == 1 else f"{base_name} [{seen[base_name]}]"
        attributes = {"classname": xml_safe(file), "name": xml_safe(name)}
        if gitlab and file:
            attributes["file"] = xml_safe(shown_file)
        case = ET.SubElement(suite, "testcase", attributes)
        _outcome(case, finding, gitlab=gitlab)
    _set_counts(suite)


def _outcome(case: ET.Element, finding: Finding, *, gitlab: bool) -> None:
    if finding.status is Status.SUPPRESSED:
        message = xml_safe(_skip_message(finding))
        skipped = ET.SubElement(case, "skipped", {} if gitlab else {"message": message})
        if gitlab:
            skipped.text = message
        return
    tag = "error" if finding.status is Status.UNKNOWN else "failure"
    attributes = (
        {} if gitlab else {"type": xml_safe(finding.rule), "message": xml_safe(finding.message)}
    )
    element = ET.SubElement(case, tag, attributes)
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


def _set_counts(element: ET.Element, *, root: bool = False) -> None:
    """Set tests/failures/errors on a suite or on the root, and skipped on a suite only.

    The schema has no ``skipped`` attribute on ``<testsuites>``.
    """
    cases = list(element.iter("testcase"))
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    element.set("errors", str(sum(1 for case in cases if case.find("error") is not None)))
    if not root:
        element.set("skipped", str(sum(1 for case in cases if case.find("skipped") is not None)))
