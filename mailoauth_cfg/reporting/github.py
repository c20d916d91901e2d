"""GitHub Actions workflow commands, which GitHub shows as annotations on the run and PR.

One line per finding::

    ::error file=config/tenant.yaml,line=12,col=7,title=secret-expired::Expired%0AFix: ...

* Severity maps to the command: error → ``::error``, warning → ``::warning``,
  info → ``::notice``.
* ``line`` and ``col`` are left out when unknown (0); ``file`` is made relative to
  ``base_dir`` (default: the current directory, i.e. the workspace in Actions) when the
  file lies under it, since GitHub only attaches annotations to repository-relative paths.
* The message carries the fix after a newline (``Fix: ...``). Unknown findings keep
  their severity and get `` (unknown)`` appended to the title.
* Suppressed findings are **not** emitted: annotations on deliberately accepted
  exceptions would be noise on every pull request and would use up GitHub's per-step
  annotation quota. They are counted in the summary line.
* Values are escaped exactly like ``@actions/core`` (``escapeData``/``escapeProperty``)
  so that config content cannot end the command or start a new one.
* The output ends with the plain summary line (not a command).
"""

from __future__ import annotations

from pathlib import Path

from mailoauth_cfg.findings import Finding, Report, Severity, Status
from mailoauth_cfg.reporting._common import relative_posix, summary_line

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message as ``@actions/core`` ``escapeData`` does."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command property value as ``@actions/core`` ``escapeProperty`` does."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, *, base_dir: Path | None = None) -> str:
    """Render ``report`` as workflow commands followed by a plain summary line."""
    base = Path.cwd() if base_dir is None else base_dir
    lines = [
        command(finding, base)
        for finding in report.findings
        if finding.status is not Status.SUPPRESSED
    ]
    lines.append(summary_line(report.summary))
    return "\n".join(lines) + "\n"


def command(finding: Finding, base: Path) -> str:
    """One ``::error|warning|notice ...::message`` line for ``finding``."""
    location = finding.location
    relative = relative_posix(location.file, base)
    properties: list[tuple[str, str]] = []
    if location.file:
        properties.append(("file", str(relative) if relative is not None else location.file))
    if location.line > 0:
        properties.append(("line", str(location.line)))
        if location.column > 0:
            properties.append(("col", str(location.column)))
    title = finding.rule
    if finding.status is Status.UNKNOWN:
        title += " (unknown)"
    properties.append(("title", title))
    message = finding.message
    if finding.fix:
        message += f"\nFix: {finding.fix}"
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_COMMAND[finding.severity]} {rendered}::{escape_data(message)}"
