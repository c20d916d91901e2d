"""The command line: exit codes, report formats, file handling, and no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mailoauth_cfg import __version__
from mailoauth_cfg.cli import app
from mailoauth_cfg.schema import committed_schema_path
from mailoauth_cfg.starter import STARTER_CONFIG
from tests.conftest import EXAMPLE_DIR, Writer

AS_OF = "2026-11-22"
FORMATS = ("text", "json", "sarif", "junit", "junit-gitlab", "github")


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    # an expected failure is an exit code and a message, never an exception
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def validate(*args: str) -> Result:
    return run("validate", "--as-of", AS_OF, *args)


# --- validate: the example and a broken copy ------------------------------------------------


def test_example_config_validates_clean() -> None:
    result = validate(str(EXAMPLE_DIR / "mailoauth.yaml"))
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.stdout
    assert "in 6 files" in result.stdout
    assert result.stderr == ""


@pytest.fixture
def broken_example(workdir: Path) -> tuple[Path, int]:
    """A copy of the example with ``bogus_key: 1`` appended; returns (main file, its line)."""
    shutil.copytree(EXAMPLE_DIR, workdir / "contoso")
    main = workdir / "contoso" / "mailoauth.yaml"
    text = main.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    line = len(text.splitlines()) + 1
    main.write_text(text + "bogus_key: 1\n", encoding="utf-8")
    return main, line


def _text_location(out: str, line: int) -> None:
    assert f"contoso/mailoauth.yaml:{line}:1: error schema-unknown-key: " in out


def _json_location(out: str, line: int) -> None:
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["location"]) for f in findings] == [
        (
            "schema-unknown-key",
            {"file": "contoso/mailoauth.yaml", "line": line, "column": 1, "path": "bogus_key"},
        )
    ]


def _sarif_location(out: str, line: int) -> None:
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "schema-unknown-key"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "contoso/mailoauth.yaml"
    assert physical["region"]["startLine"] == line
    assert physical["region"]["startColumn"] == 1


def _junit_location(out: str, line: int) -> None:
    assert out.startswith("<?xml")
    assert 'failures="1"' in out
    assert f"contoso/mailoauth.yaml:{line}:1" in out


def _github_location(out: str, line: int) -> None:
    assert (
        f"::error file=contoso/mailoauth.yaml,line={line},col=1,title=schema-unknown-key::" in out
    )


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("text", _text_location),
        ("json", _json_location),
        ("sarif", _sarif_location),
        ("junit", _junit_location),
        ("github", _github_location),
    ],
)
def test_appended_unknown_key_is_located_in_every_format(
    broken_example: tuple[Path, int], fmt: str, check: object
) -> None:
    main, line = broken_example
    result = validate("--format", fmt, "contoso/mailoauth.yaml")
    assert result.exit_code == 1, result.output
    assert callable(check)
    check(result.stdout, line)
    assert main.exists()


def test_output_file_receives_the_report_and_stdout_stays_empty(
    broken_example: tuple[Path, int], workdir: Path
) -> None:
    _, line = broken_example
    target = workdir / "reports" / "mailoauth.json"
    result = validate("-f", "json", "--output", str(target), "contoso/mailoauth.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    _json_location(target.read_text(encoding="utf-8"), line)
    assert sorted(p.name for p in target.parent.iterdir()) == ["mailoauth.json"]  # no temp file


def test_output_file_is_replaced_not_appended(workdir: Path, write: Writer) -> None:
    write(workdir, "mailoauth.yaml", STARTER_CONFIG)
    target = write(workdir, "report.txt", "old report that is much longer than the new one\n" * 99)
    result = validate("-o", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("No problems found.")
    assert "old report" not in target.read_text(encoding="utf-8")


# --- validate: exit codes --------------------------------------------------------------------


def test_missing_config_file_exits_2_with_one_line_on_stderr(workdir: Path) -> None:
    result = validate("nope.yaml")
    assert result.exit_code == 2
    assert result.stderr == "mailoauth-cfg: error: config file not found: nope.yaml\n"
    assert result.stdout == ""


def test_missing_config_among_several_exits_2(workdir: Path, write: Writer) -> None:
    write(workdir, "ok.yaml", STARTER_CONFIG)
    result = validate("ok.yaml", "nope.yaml")
    assert result.exit_code == 2
    assert "config file not found: nope.yaml" in result.stderr


def test_directory_as_config_exits_2(workdir: Path) -> None:
    (workdir / "conf").mkdir()
    result = validate("conf")
    assert result.exit_code == 2
    assert result.stderr == "mailoauth-cfg: error: not a regular file: conf\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "xml"],
            "--format must be one of text, json, sarif, junit, junit-gitlab, github, not 'xml'",
        ),
        (["--fail-on", "fatal"], "--fail-on: unknown severity 'fatal'"),
        (["--as-of", "22/11/2026"], "--as-of expects a date as YYYY-MM-DD"),
    ],
    ids=["format", "fail-on", "as-of"],
)
def test_bad_option_value_exits_2(
    workdir: Path, write: Writer, args: list[str], message: str
) -> None:
    write(workdir, "mailoauth.yaml", STARTER_CONFIG)
    result = run("validate", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mailoauth-cfg: error: {message}")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_unknown_option_is_a_usage_error(workdir: Path) -> None:
    assert run("validate", "--no-such-option").exit_code == 2


@pytest.fixture
def warning_only_config(workdir: Path, write: Writer) -> Path:
    """The starter config plus an include glob that matches nothing: one warning."""
    return write(workdir, "mailoauth.yaml", STARTER_CONFIG + "include:\n  - extra/*.yaml\n")


def test_warning_alone_does_not_fail_by_default(warning_only_config: Path) -> None:
    line = len(STARTER_CONFIG.splitlines()) + 2
    result = validate(str(warning_only_config))
    assert result.exit_code == 0, result.output
    assert f"mailoauth.yaml:{line}:5: warning include-no-match:" in result.stdout


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_sets_the_threshold(warning_only_config: Path, fail_on: str, code: int) -> None:
    result = validate("--fail-on", fail_on, str(warning_only_config))
    assert result.exit_code == code, result.output


def test_config_declaring_no_object_exits_4(workdir: Path, write: Writer) -> None:
    write(workdir, "mailoauth.yaml", "version: 1\n")
    result = validate("mailoauth.yaml")
    assert result.exit_code == 4
    assert "nothing was checked" in result.stderr
    assert "0 objects checked" in result.stdout


def test_config_that_does_not_parse_exits_1_not_4(workdir: Path, write: Writer) -> None:
    write(workdir, "mailoauth.yaml", "version: 1\nproviders:\n\tcontoso: {}\n")
    result = validate("-f", "github")
    assert result.exit_code == 1
    assert "::error file=mailoauth.yaml,line=3,col=1,title=yaml-syntax::" in result.stdout


def test_file_over_the_size_limit_exits_1(workdir: Path) -> None:
    with (workdir / "huge.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = validate("huge.yaml")
    assert result.exit_code == 1
    assert "huge.yaml:1:1: error config-too-large:" in result.stdout


def test_include_outside_needs_the_option(workdir: Path, write: Writer) -> None:
    write(workdir, "shared/rules.yaml", "rules: {}\n")
    write(workdir, "cfg/mailoauth.yaml", STARTER_CONFIG + "include: [../shared/rules.yaml]\n")
    line = len(STARTER_CONFIG.splitlines()) + 1
    refused = validate("cfg/mailoauth.yaml")
    assert refused.exit_code == 1
    assert f"cfg/mailoauth.yaml:{line}:11: error include-outside:" in refused.stdout
    allowed = validate("--allow-include-outside", "cfg/mailoauth.yaml")
    assert allowed.exit_code == 0, allowed.output
    assert "in 2 files" in allowed.stdout


def test_validate_defaults_to_mailoauth_yaml_in_the_current_directory(
    workdir: Path, write: Writer
) -> None:
    missing = validate()
    assert missing.exit_code == 2
    assert "config file not found: mailoauth.yaml" in missing.stderr
    write(workdir, "mailoauth.yaml", STARTER_CONFIG)
    result = validate()
    assert result.exit_code == 0, result.output
    assert "in 1 file" in result.stdout


# --- other commands --------------------------------------------------------------------------


def test_init_writes_a_config_that_validates(workdir: Path) -> None:
    result = run("init", "new/mailoauth.yaml")
    assert result.exit_code == 0
    assert (workdir / "new" / "mailoauth.yaml").read_text(encoding="utf-8") == STARTER_CONFIG
    checked = validate("new/mailoauth.yaml")
    assert checked.exit_code == 0, checked.output


def test_init_refuses_to_overwrite_without_force(workdir: Path, write: Writer) -> None:
    target = write(workdir, "mailoauth.yaml", "mine\n")
    refused = run("init")
    assert refused.exit_code == 2
    assert "already exists; use --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    forced = run("init", "--force")
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8") == STARTER_CONFIG


def test_committed_schema_is_up_to_date() -> None:
    result = run("schema", "--check")
    assert result.exit_code == 0, result.output
    assert "is up to date" in result.stdout


def test_stale_schema_copy_is_detected(tmp_path: Path) -> None:
    stale = tmp_path / "schema.json"
    text = committed_schema_path().read_text(encoding="utf-8")
    stale.write_text(text.replace('"properties"', '"old_properties"', 1), encoding="utf-8")
    result = run("schema", "--check", "--path", str(stale))
    assert result.exit_code == 1
    assert "is stale" in result.stderr
    assert run("schema", "--check", "--path", str(tmp_path / "none.json")).exit_code == 1


def test_schema_write_then_check_round_trips(tmp_path: Path) -> None:
    target = tmp_path / "out" / "schema.json"
    assert run("schema", "--write", "--path", str(target)).exit_code == 0
    assert "version" in json.loads(target.read_text(encoding="utf-8"))["properties"]
    assert run("schema", "--check", "--path", str(target)).exit_code == 0


def test_rules_json_lists_every_rule_the_loader_and_model_emit() -> None:
    result = run("rules", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    rules = doc["rules"]
    assert isinstance(rules, list)
    assert rules
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids))
    assert {r["severity"] for r in rules} <= {"error", "warning", "info"}
    assert all(r["summary"] for r in rules)
    emitted = {
        "yaml-syntax",
        "yaml-encoding",
        "yaml-duplicate-key",
        "yaml-alias-bomb",
        "yaml-recursive-alias",
        "yaml-unsupported-tag",
        "yaml-too-deep",
        "yaml-bad-scalar",
        "yaml-bad-key",
        "yaml-bad-merge",
        "config-empty",
        "config-not-mapping",
        "config-too-large",
        "include-cycle",
        "include-missing",
        "include-no-match",
        "include-outside",
        "include-invalid",
        "include-duplicate-name",
        "schema-unknown-key",
        "schema-invalid-value",
        "schema-missing-key",
        "schema-wrong-type",
        "unknown-reference",
        "user-alias-not-primary",
        "duplicate-user",
    }
    assert emitted <= set(ids)


def test_rules_with_unknown_format_exits_2() -> None:
    assert run("rules", "--format", "yaml").exit_code == 2


def test_version_option_via_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailoauth_cfg", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"mailoauth-cfg {__version__}\n"
    assert "Traceback" not in done.stderr
