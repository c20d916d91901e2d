"""Human-readable report, grouped by file.

Layout (``color=False``)::

    config/tenant.yaml
      config/tenant.yaml:12:7: error app-secret-expired: Client secret has expired
        fix: Create a new secret in Entra ID > App registrations > erp-mail
      config/tenant.yaml:30:3: warning smtp-auth: SMTP AUTH (suppressed: legacy, until 2025-06-30)

    1 error, 0 warnings, 0 info, 0 unknown, 1 suppressed in 1 file (4 objects checked)

Each finding line is ``location: severity rule: message`` where the location leaves out
unknown (zero) line and column numbers. Continuation lines of a multi-line message, the
``fix:``, ``help:`` and ``see also:`` lines are indented beneath it. Control characters
from config content are shown escaped (``\\x1b``) so they cannot drive the terminal.
"""

from __future__ import annotations

from mailoauth_cfg.findings import Finding, Report, Severity, Status
from mailoauth_cfg.reporting._common import (
    format_location,
    group_by_file,
    summary_line,
    visible,
)

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RED = "\x1b[1;31m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"
_GREEN = "\x1b[32m"
_MAGENTA = "\x1b[35m"

_SEVERITY_COLOR = {Severity.ERROR: _RED, Severity.WARNING: _YELLOW, Severity.INFO: _CYAN}

_FINDING_INDENT = "  "
_DETAIL_INDENT = "    "


class _Painter:
    """Wraps text in ANSI SGR codes, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        if not self.enabled or not text:
            return text
        return f"{code}{text}{_RESET}"


def render(report: Report, *, color: bool = False) -> str:
    """Render ``report`` as plain text; ANSI colour only when ``color`` is true."""
    paint = _Painter(color)
    lines: list[str] = []
    for file, findings in group_by_file(report.findings).items():
        lines.append(paint(visible(file, keep=""), _BOLD))
        for finding in findings:
            lines.extend(_finding_lines(finding, paint))
        lines.append("")
    if not report.findings:
        lines.append("No problems found.")
    lines.append(paint(summary_line(report.summary), _summary_color(report)))
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding, paint: _Painter) -> list[str]:
    severity = finding.severity
    head = (
        f"{paint(visible(format_location(finding.location), keep=''), _BOLD)}: "
        f"{paint(severity.label, _SEVERITY_COLOR[severity])} {visible(finding.rule, keep='')}: "
    )
    message_lines = _lines(finding.message)
    marker = _marker(finding)
    if marker:
        painted = paint(marker, _marker_color(finding))
        last = message_lines[-1]
        message_lines[-1] = f"{last} {painted}" if last else painted
    out = [_FINDING_INDENT + head + message_lines[0]]
    out.extend(_DETAIL_INDENT + line for line in message_lines[1:])
    out.extend(_detail("fix", finding.fix, paint, _GREEN))
    out.extend(_detail("help", finding.help, paint, _DIM))
    for related in finding.related:
        out.extend(_detail("see also", format_location(related), paint, _DIM))
    return out


def _detail(label: str, text: str, paint: _Painter, code: str) -> list[str]:
    if not text:
        return []
    first, *rest = _lines(text)
    out = [f"{_DETAIL_INDENT}{paint(label + ':', code)} {first}"]
    pad = _DETAIL_INDENT + " " * (len(label) + 2)
    out.extend(pad + line for line in rest)
    return out


def _lines(text: str) -> list[str]:
    """Split on line breaks (CRLF counts as one); other controls are shown escaped."""
    return visible(text.replace("\r\n", "\n"), keep="\n\t").split("\n")


def _marker(finding: Finding) -> str:
    if finding.status is Status.UNKNOWN:
        return "(unknown)"
    if finding.status is Status.SUPPRESSED:
        suppression = finding.suppression
        if suppression is None:
            return "(suppressed)"
        parts = [suppression.reason] if suppression.reason else []
        if suppression.expires:
            parts.append(f"until {suppression.expires}")
        detail = visible(", ".join(parts), keep="")
        return f"(suppressed: {detail})" if detail else "(suppressed)"
    return ""


def _marker_color(finding: Finding) -> str:
    return _MAGENTA if finding.status is Status.UNKNOWN else _DIM


def _summary_color(report: Report) -> str:
    summary = report.summary
    if summary.errors:
        return _RED
    if summary.warnings or summary.unknown:
        return _YELLOW
    return _GREEN
