"""Run ``validate FILE --format json`` in-process and check what every input must give.

The property: whatever the bytes of the config file,

* no exception escapes the command (typer's ``CliRunner`` catches it: ``result.exception`` is
  ``None`` or the ``SystemExit`` of a documented exit code), and no traceback is printed;
* the exit code is 0 (clean), 1 (findings) or 2 (usage error, with one ``error:`` line on
  stderr); 4 ("nothing was checked") is allowed when the config declares no object;
* stdout is a JSON report whose summary agrees with the exit code (never a pass for a
  config with errors, never a failure without one);
* every finding about the input itself (rules ``yaml-*``, ``schema-*``, ``config-*``,
  ``include-*``) is located: a file name and a line ≥ 1.

Time is bounded by the hypothesis ``deadline`` of the callers, not asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from mailoauth_cfg.cli import app

AS_OF = "2026-11-22"
LOCATED_PREFIXES = ("yaml-", "schema-", "config-", "include-")
EXIT_CODES = (0, 1, 2, 4)
FORMATS = ("text", "json", "sarif", "junit", "github")

_RUNNER = CliRunner()


def invoke(*args: str) -> Result:
    """``mailoauth-cfg ARGS`` in this process (exceptions are caught and returned)."""
    return _RUNNER.invoke(app, list(args), catch_exceptions=True)


def validate(path: Path, fmt: str = "json") -> Result:
    """``mailoauth-cfg validate PATH --as-of 2026-11-22 --format FMT``."""
    return invoke("validate", str(path), "--as-of", AS_OF, "--format", fmt)


def assert_clean_exit(result: Result) -> None:
    """No uncaught exception, no traceback, a documented exit code."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {exc!r}\n{result.output}"
    assert "Traceback" not in result.output, result.output
    assert result.exit_code in EXIT_CODES, (result.exit_code, result.output)


def check_validate(path: Path) -> dict[str, Any] | None:
    """Validate ``path`` as JSON and assert the property; the report (``None`` on exit 2)."""
    result = validate(path)
    assert_clean_exit(result)
    if result.exit_code == 2:
        assert result.stdout == "", result.stdout
        assert result.stderr.startswith("mailoauth-cfg: error: "), result.stderr
        return None
    doc = json.loads(result.stdout)
    summary = doc["summary"]
    findings = doc["findings"]
    for finding in findings:
        assert finding["status"] != "unknown", finding  # offline: nothing is unknown
        if finding["rule"].startswith(LOCATED_PREFIXES):
            location = finding["location"]
            assert location["file"], finding
            assert location["line"] >= 1, finding
            assert location["column"] >= 0, finding
    if result.exit_code == 1:
        assert summary["errors"] >= 1, doc
    else:
        assert summary["errors"] == 0, doc
    if result.exit_code == 4:
        assert summary["objects"] == 0, doc
        assert "nothing was checked" in result.stderr
    if result.exit_code == 0:
        assert summary["objects"] >= 1, doc
    return doc
