"""Report formatters: turn a :class:`~mailoauth_cfg.findings.Report` into text.

Every format is stdlib-only, returns a ``str`` ending in a newline, never prints, and is
byte-for-byte deterministic for the same report (SARIF and GitHub output also depend on
the current directory, but only for files that lie outside it).
"""

from __future__ import annotations

from mailoauth_cfg.findings import Report
from mailoauth_cfg.reporting import github, json, junit, sarif, text

FORMATS = ("text", "json", "sarif", "junit", "junit-gitlab", "github")

__all__ = ["FORMATS", "render_report"]


def render_report(
    report: Report, fmt: str, *, color: bool = False, sarif_rules: str = "used"
) -> str:
    """Render ``report`` in format ``fmt`` (one of :data:`FORMATS`).

    ``color`` asks for ANSI colour and only affects the ``text`` format; the caller
    decides (TTY, ``NO_COLOR``, ``TERM=dumb``). ``sarif_rules`` is ``used`` or ``all`` (see
    :func:`mailoauth_cfg.reporting.sarif.to_sarif`). Raises :class:`ValueError` for an
    unknown format.
    """
    if fmt == "text":
        return text.render(report, color=color)
    if fmt == "json":
        return json.render(report)
    if fmt == "sarif":
        return sarif.render(report, rules=sarif_rules)
    if fmt == "junit":
        return junit.render(report)
    if fmt == "junit-gitlab":
        return junit.render(report, flavour="gitlab")
    if fmt == "github":
        return github.render(report)
    raise ValueError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")
