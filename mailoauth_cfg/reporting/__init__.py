"""Report formatters: turn a :class:`~mailoauth_cfg.findings.Report` into text.

Every format is stdlib-only, returns a ``str`` ending in a newline, never prints, and is
byte-for-byte deterministic for the same report (SARIF and GitHub output also depend on
the current directory, but only for files that lie outside it).
"""

from __future__ import annotations

from mailoauth_cfg.findings import Report

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
    # each format's module is imported when used (the XML and SARIF writers cost start-up)
    if fmt == "text":
        from mailoauth_cfg.reporting import text

        return text.render(report, color=color)
    if fmt == "json":
        from mailoauth_cfg.reporting import json

        return json.render(report)
    if fmt == "sarif":
        from mailoauth_cfg.reporting import sarif

        return sarif.render(report, rules=sarif_rules)
    if fmt in ("junit", "junit-gitlab"):
        from mailoauth_cfg.reporting import junit

        return (
            junit.render(report, flavour="gitlab")
            if fmt == "junit-gitlab"
            else junit.render(report)
        )
    if fmt == "github":
        from mailoauth_cfg.reporting import github

        return github.render(report)
    raise ValueError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")
