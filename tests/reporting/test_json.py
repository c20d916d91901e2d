"""JSON reporter: versioned document, every field, byte stability."""

from __future__ import annotations

import dataclasses
import json as std_json
from typing import Any

from mailoauth_cfg import __version__
from mailoauth_cfg.findings import Report
from mailoauth_cfg.reporting import json
from tests.reporting.conftest import (
    DUP_MESSAGE,
    GOOGLE,
    SECRET_FIX,
    SECRET_MESSAGE,
    TENANT,
    TENANT_MESSAGE,
    findings,
)


def _load(report: Report) -> dict[str, Any]:
    loaded: dict[str, Any] = std_json.loads(json.render(report))
    return loaded


def test_envelope(report: Report) -> None:
    doc = _load(report)
    assert sorted(doc) == ["findings", "summary", "tool", "version"]
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "mailoauth-cfg", "version": "9.8.7"}
    assert doc["summary"] == dataclasses.asdict(report.summary)
    assert doc["summary"] == {
        "errors": 1,
        "warnings": 1,
        "infos": 1,
        "unknown": 1,
        "suppressed": 1,
        "files": 2,
        "objects": 14,
    }


def test_findings_keep_report_order(report: Report) -> None:
    doc = _load(report)
    assert [(f["location"]["file"], f["rule"]) for f in doc["findings"]] == [
        (GOOGLE, "scope-missing"),
        (GOOGLE, "dup-client"),
        (TENANT, "tenant-info"),
        (TENANT, "app-secret-expired"),
        (TENANT, "smtp-auth-enabled"),
    ]


def test_every_field_round_trips(report: Report) -> None:
    by_rule = {f["rule"]: f for f in _load(report)["findings"]}
    assert by_rule["app-secret-expired"] == {
        "rule": "app-secret-expired",
        "severity": "error",
        "status": "fail",
        "message": SECRET_MESSAGE,
        "object": "app:erp-mail",
        "fix": SECRET_FIX,
        "help": "https://example.com/rules/app-secret-expired",
        "location": {"file": TENANT, "line": 12, "column": 7, "path": "apps.erp-mail.secret"},
        "suppression": None,
        "related": [],
    }
    assert by_rule["smtp-auth-enabled"]["status"] == "suppressed"
    assert by_rule["smtp-auth-enabled"]["suppression"] == {
        "reason": "legacy scanner, ticket #42",
        "expires": "2025-06-30",
        "location": {"file": TENANT, "line": 29, "column": 5, "path": ""},
    }
    assert by_rule["scope-missing"]["status"] == "unknown"
    assert by_rule["scope-missing"]["severity"] == "error"
    assert by_rule["tenant-info"]["severity"] == "info"
    assert by_rule["tenant-info"]["message"] == TENANT_MESSAGE
    assert by_rule["tenant-info"]["location"] == {
        "file": TENANT,
        "line": 0,
        "column": 0,
        "path": "",
    }
    assert by_rule["dup-client"]["message"] == DUP_MESSAGE
    assert by_rule["dup-client"]["related"] == [
        {"file": TENANT, "line": 12, "column": 7, "path": "apps.erp-mail"},
        {"file": TENANT, "line": 0, "column": 0, "path": ""},
    ]


def test_layout_is_sorted_indented_utf8(report: Report) -> None:
    out = json.render(report)
    canonical = std_json.dumps(std_json.loads(out), indent=2, sort_keys=True, ensure_ascii=False)
    assert out == canonical + "\n"
    assert "Müller GmbH — 3 apps" in out
    assert "\\u" not in out
    assert out.startswith('{\n  "findings": [\n')


def test_input_order_does_not_matter() -> None:
    from tests.reporting.conftest import build

    forward = build(findings(), files=[TENANT, GOOGLE])
    backward = build(list(reversed(findings())), files=[TENANT, GOOGLE])
    assert json.render(forward) == json.render(backward)


def test_empty_report_and_version_fallback(empty_report: Report) -> None:
    doc = _load(dataclasses.replace(empty_report, tool_version=""))
    assert doc["findings"] == []
    assert doc["tool"]["version"] == __version__
