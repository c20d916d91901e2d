"""Machine-readable JSON report (document ``version`` 1).

Shape::

    {
      "version": 1,
      "tool": {"name": "mailoauth-cfg", "version": "0.1.0"},
      "summary": {"errors": 0, "warnings": 0, "infos": 0, "unknown": 0,
                  "suppressed": 0, "files": 1, "objects": 3},
      "findings": [
        {"rule": "...", "severity": "error", "status": "fail", "message": "...",
         "object": "app:erp-mail", "fix": "...", "help": "...",
         "location": {"file": "...", "line": 3, "column": 5, "path": "apps.erp-mail"},
         "suppression": null or {"reason": "...", "expires": "2025-06-30" or null,
                                 "location": null or {...}},
         "related": [{...location...}]}
      ]
    }

Keys are sorted and findings keep report order, so the output is byte-stable. Lines and
columns are 1-based; 0 means unknown. Adding keys is compatible; removing or changing
the meaning of one bumps ``version``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mailoauth_cfg.findings import Finding, Location, Report, Suppression
from mailoauth_cfg.reporting._common import TOOL_NAME, tool_version

DOCUMENT_VERSION = 1


def render(report: Report) -> str:
    """Render ``report`` as an indented, key-sorted JSON document ending in a newline."""
    return json.dumps(to_document(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_document(report: Report) -> dict[str, Any]:
    """The JSON document as plain Python data (what :func:`render` serialises)."""
    return {
        "version": DOCUMENT_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version(report)},
        "summary": dataclasses.asdict(report.summary),
        "findings": [_finding(finding) for finding in report.findings],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.label,
        "status": finding.status.value,
        "message": finding.message,
        "object": finding.object_name,
        "fix": finding.fix,
        "help": finding.help,
        "location": _location(finding.location),
        "suppression": _suppression(finding.suppression),
        "related": [_location(location) for location in finding.related],
    }


def _location(location: Location) -> dict[str, Any]:
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "path": location.path,
    }


def _suppression(suppression: Suppression | None) -> dict[str, Any] | None:
    if suppression is None:
        return None
    return {
        "reason": suppression.reason,
        "expires": suppression.expires,
        "location": None if suppression.location is None else _location(suppression.location),
    }
