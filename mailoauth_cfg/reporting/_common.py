"""Helpers shared by the output formats: counts, locations, paths and character hygiene."""

from __future__ import annotations

import os
from pathlib import Path, PurePath, PurePosixPath

from mailoauth_cfg import __version__
from mailoauth_cfg.findings import Finding, Location, Report, Summary

TOOL_NAME = "mailoauth-cfg"
INFORMATION_URI = "https://github.com/mailoauth-cfg/mailoauth-cfg"


def tool_version(report: Report) -> str:
    """The version recorded in the report, or the installed package's when it is empty."""
    return report.tool_version or __version__


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 error``, ``2 errors``; ``words`` overrides the regular ``word + "s"``."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {words if words is not None else word + 's'}"


def summary_line(summary: Summary) -> str:
    """The one-line count shown at the end of text and GitHub output."""
    return (
        f"{plural(summary.errors, 'error')}, {plural(summary.warnings, 'warning')}, "
        f"{summary.infos} info, {summary.unknown} unknown, {summary.suppressed} suppressed "
        f"in {plural(summary.files, 'file')} ({plural(summary.objects, 'object')} checked)"
    )


def format_location(location: Location) -> str:
    """``file:line:col``, ``file:line`` or ``file``: zero (unknown) parts are left out."""
    if location.line <= 0:
        return location.file
    if location.column <= 0:
        return f"{location.file}:{location.line}"
    return f"{location.file}:{location.line}:{location.column}"


def group_by_file(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    """Findings per file, files in order of first appearance, findings in report order."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.location.file, []).append(finding)
    return groups


def relative_posix(file: str, base: Path) -> PurePosixPath | None:
    """``file`` as a POSIX path relative to ``base``, or None when it lies outside ``base``.

    Purely lexical (no symlink resolution, no file-system access) so that output depends
    only on the report and ``base``.
    """
    if not file:
        return None
    base_abs = PurePath(os.path.normpath(base.absolute()))
    target = PurePath(os.path.normpath(base_abs / file))
    if not target.is_relative_to(base_abs) or target == base_abs:
        return None
    return PurePosixPath(target.relative_to(base_abs).as_posix())


def absolute_path(file: str, base: Path) -> Path:
    """``file`` made absolute against ``base`` and normalised lexically."""
    return Path(os.path.normpath(base.absolute() / file))


def visible(text: str, *, keep: str = "\n\t") -> str:
    """Replace control characters (other than those in ``keep``) by ``\\xNN``-style escapes.

    Messages quote config content; a stray ESC or CR must not drive the terminal.
    """
    out: list[str] = []
    for ch in text:
        if ch in keep or not _is_control_or_surrogate(ch):
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def _is_control_or_surrogate(ch: str) -> bool:
    """Whether ``ch`` is in Unicode's category Cc (C0, DEL, C1) or Cs (a lone surrogate).

    Both categories are fixed ranges, closed by Unicode's stability policy: no character is
    ever added to either. Testing them directly spares ``unicodedata`` (2 ms at start-up)."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/F)."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if (
            code in (0x9, 0xA, 0xD)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000
        ):
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"
