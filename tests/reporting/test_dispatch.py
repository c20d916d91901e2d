"""render_report: format names, dispatch and errors."""

from __future__ import annotations

import pytest

from mailoauth_cfg.findings import Report
from mailoauth_cfg.reporting import FORMATS, github, json, junit, render_report, sarif, text


def test_formats_are_the_documented_six() -> None:
    assert FORMATS == ("text", "json", "sarif", "junit", "junit-gitlab", "github")


def test_each_format_dispatches_to_its_module(report: Report) -> None:
    assert render_report(report, "text") == text.render(report)
    assert render_report(report, "text", color=True) == text.render(report, color=True)
    assert render_report(report, "json") == json.render(report)
    assert render_report(report, "sarif") == sarif.render(report)
    assert render_report(report, "junit") == junit.render(report)
    assert render_report(report, "github") == github.render(report)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic_and_newline_terminated(report: Report, fmt: str) -> None:
    first = render_report(report, fmt)
    assert first == render_report(report, fmt)
    assert first.endswith("\n")
    assert not first.endswith("\n\n")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_color_only_affects_text(report: Report, fmt: str) -> None:
    assert render_report(report, fmt, color=True) == render_report(report, fmt)
    assert "\x1b" not in render_report(report, fmt, color=True)


@pytest.mark.parametrize("fmt", ["", "TEXT", "xml", "sarif2"])
def test_unknown_format_is_a_value_error(report: Report, fmt: str) -> None:
    with pytest.raises(ValueError, match="unknown report format") as excinfo:
        render_report(report, fmt)
    assert "text, json, sarif, junit, junit-gitlab, github" in str(excinfo.value)
