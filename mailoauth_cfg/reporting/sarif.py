"""SARIF 2.1.0 report (one run), for GitHub code scanning and other SARIF viewers.

Mapping decisions:

* ``tool.driver.rules`` lists the rules that have results (``rules="used"``, the default:
  a clean run carries no rule documentation at all), or every rule in ``report.rules``
  (``rules="all"``), plus any rule id a finding uses that is missing there (as a bare
  descriptor), sorted by id; ``ruleIndex`` points into that list.
* Each descriptor has a short ``shortDescription`` (the summary), a ``fullDescription`` of
  the documentation's first paragraph as plain text, and ``help`` with both ``markdown``
  (the rule's documentation, which GitHub code scanning renders) and ``text`` (the same
  without markup, for viewers that show text only).
* Severity maps to ``level``: error → ``error``, warning → ``warning``, info → ``note``.
* ``Status.UNKNOWN`` findings get ``kind: "review"`` (a human must check). SARIF §3.27.10
  requires ``level`` to be ``"none"`` whenever ``kind`` is not ``"fail"``, so the
  original severity is kept in ``properties.severity``. All other findings are
  ``kind: "fail"``.
* Suppressed findings carry ``suppressions: [{"kind": "inSource", "status": "accepted",
  "justification": reason}]`` (expiry in the suppression's ``properties.expires``); other
  findings carry ``suppressions: []``, which SARIF defines as "not suppressed".
* File paths under ``base_dir`` (default: the current directory) become relative POSIX
  URIs with ``uriBaseId: "%SRCROOT%"``; other files become ``file://`` URIs.
  ``originalUriBaseIds`` is not emitted, so no absolute path of the checkout leaks into
  the output and the same report renders identically anywhere.
* ``region`` is left out when the line is unknown (0): SARIF requires ``startLine >= 1``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mailoauth_cfg.findings import Finding, Location, Report, RuleInfo, Severity, Status
from mailoauth_cfg.reporting._common import (
    INFORMATION_URI,
    TOOL_NAME,
    absolute_path,
    relative_posix,
    tool_version,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


RULE_SETS = ("used", "all")
"""Values of ``rules``: the rules that have results, or every rule."""
FULL_DESCRIPTION_LIMIT = 1000
"""Longest ``fullDescription`` (characters); longer first paragraphs are cut at a word."""


def render(report: Report, *, base_dir: Path | None = None, rules: str = "used") -> str:
    """Render ``report`` as an indented SARIF 2.1.0 log ending in a newline."""
    log = to_sarif(report, base_dir=base_dir, rules=rules)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def to_sarif(
    report: Report, *, base_dir: Path | None = None, rules: str = "used"
) -> dict[str, Any]:
    """The SARIF log as plain Python data; relative URIs are relative to ``base_dir``.

    ``rules`` is ``"used"`` (describe only the rules that have results) or ``"all"``.
    """
    if rules not in RULE_SETS:
        raise ValueError(f"rules must be one of {', '.join(RULE_SETS)}, not {rules!r}")
    base = Path.cwd() if base_dir is None else base_dir
    used = {finding.rule for finding in report.findings}
    rule_ids = sorted(used | set(report.rules) if rules == "all" else used)
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "version": tool_version(report),
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rule_id, report.rules.get(rule_id)) for rule_id in rule_ids],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index[finding.rule], base) for finding in report.findings],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def rule_name(rule_id: str) -> str:
    """CamelCase display name for a rule id: ``app-secret-expiry`` → ``AppSecretExpiry``."""
    parts = [part for part in re.split(r"[\W_]+", rule_id) if part]
    return "".join(part[0].upper() + part[1:] for part in parts) or rule_id


def _rule(rule_id: str, info: RuleInfo | None) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"id": rule_id, "name": rule_name(rule_id)}
    if info is None:
        return descriptor
    descriptor["shortDescription"] = {"text": plain_text(info.summary or rule_id)}
    if info.doc:
        descriptor["fullDescription"] = {"text": _short(plain_text(_first_paragraph(info.doc)))}
        descriptor["help"] = {"text": plain_text(info.doc), "markdown": markdown(info.doc)}
    descriptor["defaultConfiguration"] = {"level": _LEVEL[info.severity]}
    return descriptor


_DOUBLE_CODE = re.compile(r"``(.+?)``", re.DOTALL)
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def markdown(doc: str) -> str:
    """A rule's documentation as GitHub-flavoured Markdown.

    Docstrings write code as ``double backticks`` (reStructuredText); Markdown reads a
    double-backtick span as code too, but a single pair is the usual form, so spans without
    a backtick inside become single ones.
    """
    return _DOUBLE_CODE.sub(lambda m: m.group(0) if "`" in m.group(1) else f"`{m.group(1)}`", doc)


def plain_text(doc: str) -> str:
    """A rule's documentation without Markdown markup: no ``**``, no backticks, links spelt out.

    Bullets (``* item``) stay: they read as plain text.
    """
    text = _DOUBLE_CODE.sub(lambda m: m.group(1), doc)
    text = _CODE.sub(lambda m: m.group(1), text)
    text = _STRONG.sub(lambda m: m.group(1), text)
    return _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)


def _first_paragraph(doc: str) -> str:
    paragraph = doc.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def _short(text: str) -> str:
    if len(text) <= FULL_DESCRIPTION_LIMIT:
        return text
    cut = text[: FULL_DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _result(finding: Finding, rule_index: int, base: Path) -> dict[str, Any]:
    unknown = finding.status is Status.UNKNOWN
    text = finding.message
    if finding.fix:
        text = f"{text}\nFix: {finding.fix}"
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "kind": "review" if unknown else "fail",
        "level": "none" if unknown else _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": _locations(finding.location, base),
    }
    related = [
        {"id": number, "physicalLocation": physical}
        for number, physical in enumerate(
            (_physical_location(location, base) for location in finding.related), start=1
        )
        if physical is not None
    ]
    if related:
        result["relatedLocations"] = related
    result["suppressions"] = _suppressions(finding, base)
    properties: dict[str, Any] = {
        "severity": finding.severity.label,
        "status": finding.status.value,
    }
    if finding.object:
        properties["object"] = finding.object_name
    if finding.help:
        properties["help"] = finding.help
    result["properties"] = properties
    return result


def _locations(location: Location, base: Path) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {}
    physical = _physical_location(location, base)
    if physical is not None:
        entry["physicalLocation"] = physical
    if location.path:
        entry["logicalLocations"] = [{"fullyQualifiedName": location.path, "kind": "member"}]
    return [entry] if entry else []


def _physical_location(location: Location, base: Path) -> dict[str, Any] | None:
    if not location.file:
        return None
    physical: dict[str, Any] = {"artifactLocation": artifact_location(location.file, base)}
    if location.line >= 1:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column >= 1:
            region["startColumn"] = location.column
        physical["region"] = region
    return physical


def artifact_location(file: str, base: Path) -> dict[str, str]:
    """``{"uri", "uriBaseId"}`` for a file under ``base``, else ``{"uri": "file:///..."}``."""
    relative = relative_posix(file, base)
    if relative is not None:
        return {"uri": quote(str(relative), safe="/"), "uriBaseId": SRCROOT}
    return {"uri": absolute_path(file, base).as_uri()}


def _suppressions(finding: Finding, base: Path) -> list[dict[str, Any]]:
    if finding.status is not Status.SUPPRESSED:
        return []
    entry: dict[str, Any] = {"kind": "inSource", "status": "accepted"}
    suppression = finding.suppression
    if suppression is None:
        return [entry]
    if suppression.reason:
        entry["justification"] = suppression.reason
    if suppression.location is not None:
        located = _locations(suppression.location, base)
        if located:
            entry["location"] = located[0]
    if suppression.expires:
        entry["properties"] = {"expires": suppression.expires}
    return [entry]
