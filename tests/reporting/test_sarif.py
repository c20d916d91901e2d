"""SARIF reporter: validity against the official OASIS schema and mapping details.

``tests/data/sarif-schema-2.1.0.json`` is the OASIS SARIF 2.1.0 Errata 01 schema,
byte-for-byte from github.com/oasis-tcs/sarif-spec ``sarif-2.1/schema/sarif-schema-2.1.0.json``
(git blob 0f58372b548f60c84d20fca77687435e71b3b3a3, published at the ``id`` it declares).
It declares JSON Schema draft-04, so it is checked with the validator that ``$schema`` names.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry

from mailoauth_cfg.findings import Finding, Location, Report, Severity, Status
from mailoauth_cfg.reporting import sarif
from tests.reporting.conftest import (
    GOOGLE,
    RULES,
    SCOPE_FIX,
    SCOPE_MESSAGE,
    TENANT,
    TENANT_MESSAGE,
    build,
)

SCHEMA_PATH = Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json"
OASIS_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"] == OASIS_ID
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator
    cls.check_schema(schema)
    # An empty registry: any reference that is not local to the schema fails instead of
    # being fetched over the network.
    return cls(schema, registry=Registry(), format_checker=cls.FORMAT_CHECKER)


def _log(report: Report, base: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(sarif.render(report, base_dir=base))
    return loaded


def _errors(validator: jsonschema.protocols.Validator, log: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)
    ]


def test_sample_is_valid(
    validator: jsonschema.protocols.Validator, report: Report, tmp_path: Path
) -> None:
    assert _errors(validator, _log(report, tmp_path)) == []


def test_empty_report_is_valid(
    validator: jsonschema.protocols.Validator, empty_report: Report, tmp_path: Path
) -> None:
    log = _log(empty_report, tmp_path)
    assert _errors(validator, log) == []
    assert log["runs"][0]["results"] == []


def test_the_schema_check_has_teeth(
    validator: jsonschema.protocols.Validator, report: Report, tmp_path: Path
) -> None:
    log = _log(report, tmp_path)
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = {"startLine": 0}
    assert _errors(validator, broken)
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["kind"] = "unknown"
    assert _errors(validator, broken)


def test_envelope_and_driver(report: Report, tmp_path: Path) -> None:
    log = _log(report, tmp_path)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mailoauth-cfg"
    assert driver["version"] == "9.8.7"
    assert driver["informationUri"].startswith("https://")


def test_rules_are_those_with_results_sorted(report: Report, tmp_path: Path) -> None:
    rules = _log(report, tmp_path)["runs"][0]["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted({finding.rule for finding in report.findings})
    assert "zz_unused.rule" not in ids


def test_rules_all_are_every_known_plus_used_sorted(report: Report, tmp_path: Path) -> None:
    log = json.loads(sarif.render(report, base_dir=tmp_path, rules="all"))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted({*RULES, "dup-client"})
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["app-secret-expired"] == {
        "id": "app-secret-expired",
        "name": "AppSecretExpired",
        "shortDescription": {"text": "App secret expired"},
        "fullDescription": {"text": "Secrets expire. Rotate."},
        "help": {"text": "Secrets expire.\nRotate.", "markdown": "Secrets expire.\nRotate."},
        "defaultConfiguration": {"level": "error"},
    }
    assert by_id["zz_unused.rule"]["name"] == "ZzUnusedRule"
    assert by_id["zz_unused.rule"]["defaultConfiguration"] == {"level": "note"}
    assert "fullDescription" not in by_id["tenant-info"]
    assert by_id["dup-client"] == {"id": "dup-client", "name": "DupClient"}


def test_rule_index_points_at_rule_id(report: Report, tmp_path: Path) -> None:
    run = _log(report, tmp_path)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def _results(report: Report, base: Path) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in _log(report, base)["runs"][0]["results"]}


def test_levels_and_kinds(report: Report, tmp_path: Path) -> None:
    results = _results(report, tmp_path)
    assert {rule: (r["kind"], r["level"]) for rule, r in results.items()} == {
        "app-secret-expired": ("fail", "error"),
        "smtp-auth-enabled": ("fail", "warning"),
        "dup-client": ("fail", "warning"),
        "tenant-info": ("fail", "note"),
        # SARIF 3.27.10: level must be "none" when kind is not "fail".
        "scope-missing": ("review", "none"),
    }
    assert results["scope-missing"]["properties"] == {
        "severity": "error",
        "status": "unknown",
        "object": "target:gmail",
    }


def test_suppressions(report: Report, tmp_path: Path) -> None:
    results = _results(report, tmp_path)
    assert results["smtp-auth-enabled"]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "legacy scanner, ticket #42",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": TENANT, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 29, "startColumn": 5},
                }
            },
            "properties": {"expires": "2025-06-30"},
        }
    ]
    for rule in ("app-secret-expired", "dup-client", "tenant-info", "scope-missing"):
        assert results[rule]["suppressions"] == []


def test_message_carries_fix(report: Report, tmp_path: Path) -> None:
    results = _results(report, tmp_path)
    assert results["scope-missing"]["message"] == {"text": f"{SCOPE_MESSAGE}\nFix: {SCOPE_FIX}"}
    assert results["tenant-info"]["message"]["text"] == TENANT_MESSAGE


def test_locations(report: Report, tmp_path: Path) -> None:
    results = _results(report, tmp_path)
    assert results["app-secret-expired"]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": TENANT, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 7},
            },
            "logicalLocations": [{"fullyQualifiedName": "apps.erp-mail.secret", "kind": "member"}],
        }
    ]
    # Line 0: no region at all; column 0: no startColumn; no path: no logicalLocations.
    assert results["tenant-info"]["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": TENANT, "uriBaseId": "%SRCROOT%"}}}
    ]
    assert results["dup-client"]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": GOOGLE, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 8},
            }
        }
    ]
    assert [r["id"] for r in results["dup-client"]["relatedLocations"]] == [1, 2]


def test_output_has_no_absolute_paths_and_is_cwd_independent(
    report: Report, tmp_path: Path
) -> None:
    one = sarif.render(report, base_dir=tmp_path / "a")
    two = sarif.render(report, base_dir=tmp_path / "b")
    assert one == two
    assert str(tmp_path) not in one
    assert "originalUriBaseIds" not in one


def test_uri_forms(validator: jsonschema.protocols.Validator, tmp_path: Path) -> None:
    base = tmp_path / "repo"
    outside = tmp_path / "elsewhere" / "x y.yaml"
    files = [
        str(base / "conf" / "abs inside.yaml"),
        "./conf/../conf/ü.yaml",
        "../elsewhere/rel out.yaml",
        str(outside),
    ]
    items = [Finding("r", Severity.ERROR, "m", Location(f, 1, 1)) for f in files]
    log = _log(build(items, files=files, objects=1), base)
    assert _errors(validator, log) == []
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0][
            "physicalLocation"
        ]["artifactLocation"].get("uriBaseId")
        for r in log["runs"][0]["results"]
    }
    assert uris == {
        "conf/abs%20inside.yaml": "%SRCROOT%",
        "conf/%C3%BC.yaml": "%SRCROOT%",
        (tmp_path / "elsewhere" / "rel out.yaml").as_uri(): None,
        outside.as_uri(): None,
    }
    assert outside.as_uri().startswith("file:///")


def test_result_without_file_or_path_has_no_locations(
    validator: jsonschema.protocols.Validator, tmp_path: Path
) -> None:
    items = [
        Finding("r", Severity.WARNING, "m", Location("")),
        Finding("s", Severity.INFO, "n", Location("", path="global.x"), status=Status.FAIL),
    ]
    log = _log(build(items, files=[], objects=0), tmp_path)
    assert _errors(validator, log) == []
    results = log["runs"][0]["results"]
    assert results[0]["locations"] == []
    assert results[1]["locations"] == [
        {"logicalLocations": [{"fullyQualifiedName": "global.x", "kind": "member"}]}
    ]


@pytest.mark.parametrize(
    ("rule_id", "name"),
    [
        ("app-secret-expiry", "AppSecretExpiry"),
        ("M365001", "M365001"),
        ("smtp.auth_disabled", "SmtpAuthDisabled"),
        ("already-Camel-case", "AlreadyCamelCase"),
        ("---", "---"),
    ],
)
def test_rule_name(rule_id: str, name: str) -> None:
    assert sarif.rule_name(rule_id) == name


# --- Rule help for GitHub code scanning, and only the rules that matter ------------------------


def _cli_log(*args: str) -> dict[str, Any]:
    from typer.testing import CliRunner

    from mailoauth_cfg.cli import app
    from tests.conftest import EXAMPLE_DIR

    result = CliRunner().invoke(app, ["validate", "--as-of", "2026-11-22", "-f", "sarif", *args])
    assert result.exit_code in (0, 1), result.output
    loaded: dict[str, Any] = json.loads(result.stdout)
    assert EXAMPLE_DIR.is_dir()
    return loaded


@pytest.mark.parametrize("rules", ["used", "all"])
def test_real_logs_are_valid_with_either_rule_set(
    validator: jsonschema.protocols.Validator, rules: str
) -> None:
    from tests.conftest import EXAMPLE_DIR

    broken = EXAMPLE_DIR.parent / "broken" / "mailoauth.yaml"
    log = _cli_log(str(broken), "--sarif-rules", rules)
    assert _errors(validator, log) == []


def test_a_clean_run_carries_no_rule_documentation() -> None:
    from tests.conftest import EXAMPLE_DIR

    log = _cli_log(str(EXAMPLE_DIR / "mailoauth.yaml"))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []
    assert len(json.dumps(log)) < 2000


def test_all_rules_on_request() -> None:
    from mailoauth_cfg.rules import rule_infos
    from tests.conftest import EXAMPLE_DIR

    log = _cli_log(str(EXAMPLE_DIR / "mailoauth.yaml"), "--sarif-rules", "all")
    ids = {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rule_infos()) <= ids


def test_rule_help_is_markdown_and_plain_text() -> None:
    from tests.conftest import EXAMPLE_DIR

    log = _cli_log(str(EXAMPLE_DIR.parent / "broken" / "mailoauth.yaml"))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) > 10
    used = {result["ruleId"] for result in log["runs"][0]["results"]}
    assert {rule["id"] for rule in rules} == used
    marked = 0
    for rule in rules:
        if "help" not in rule:
            continue
        text, markdown = rule["help"]["text"], rule["help"]["markdown"]
        assert "**" not in text, rule["id"]
        assert "`" not in text, rule["id"]
        assert "``" not in markdown, rule["id"]
        marked += "**" in markdown or "`" in markdown
        full = rule["fullDescription"]["text"]
        assert len(full) <= sarif.FULL_DESCRIPTION_LIMIT
        assert "\n" not in full
        assert len(full) < len(text) or full == " ".join(text.split())
    assert marked > 5  # the docs do use Markdown: it is given as such


def test_markdown_and_plain_text_conversions() -> None:
    doc = "**Why.** Set ``tenant:`` (see [docs](https://example.com/x)); `a` and ``b`c``."
    assert sarif.markdown(doc) == (
        "**Why.** Set `tenant:` (see [docs](https://example.com/x)); `a` and ``b`c``."
    )
    plain = "Why. Set tenant: (see docs (https://example.com/x)); a and b`c."
    assert sarif.plain_text(doc) == plain
