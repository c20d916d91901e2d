"""Findings: what a check says about a config, and where.

A :class:`Finding` is plain data. Rules produce them, reporters format them, and
the CLI turns the worst of them into an exit code. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from mailoauth_cfg.locations import Location

__all__ = [
    "Finding",
    "Location",
    "Report",
    "RuleInfo",
    "Severity",
    "Status",
    "Summary",
    "Suppression",
]


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``max()`` gives the worst."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """Lower-case name used in every output format."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse ``error``, ``warning`` or ``info`` (case-insensitive)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            allowed = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}; expected one of: {allowed}") from None


class Status(enum.Enum):
    """Whether a finding is a real failure, an unverifiable fact, or silenced."""

    FAIL = "fail"
    UNKNOWN = "unknown"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding was silenced, as written next to the object in the config."""

    reason: str
    expires: str | None = None
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found.

    ``fix`` is always concrete: the value to set, the cmdlet, the portal path or the URL.
    ``object`` names the logical object (``app:erp-mail``, ``user:a@b.c``, ``target:erp``).
    """

    rule: str
    severity: Severity
    message: str
    location: Location
    fix: str = ""
    object: str = ""
    status: Status = Status.FAIL
    help: str = ""
    suppression: Suppression | None = None
    related: tuple[Location, ...] = field(default=())

    @property
    def counts(self) -> bool:
        """True when the finding takes part in the exit code (not suppressed)."""
        return self.status is not Status.SUPPRESSED

    def suppressed(self, suppression: Suppression) -> Finding:
        """Return a copy marked as suppressed."""
        return replace(self, status=Status.SUPPRESSED, suppression=suppression)

    def sort_key(self) -> tuple[str, int, int, str, str, str, str]:
        """Deterministic report order: file, line, column, rule, message, path, object."""
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule, self.message, loc.path, self.object)


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts shown at the end of every report."""

    errors: int
    warnings: int
    infos: int
    unknown: int
    suppressed: int
    files: int
    objects: int

    @classmethod
    def of(cls, findings: list[Finding], *, files: int, objects: int) -> Summary:
        """Count findings by severity; suppressed and unknown ones are counted apart."""
        live = [f for f in findings if f.status is Status.FAIL]
        return cls(
            errors=sum(1 for f in live if f.severity is Severity.ERROR),
            warnings=sum(1 for f in live if f.severity is Severity.WARNING),
            infos=sum(1 for f in live if f.severity is Severity.INFO),
            unknown=sum(1 for f in findings if f.status is Status.UNKNOWN),
            suppressed=sum(1 for f in findings if f.status is Status.SUPPRESSED),
            files=files,
            objects=objects,
        )


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reporters need to know about a rule (SARIF ``tool.driver.rules``, ``explain``)."""

    id: str
    severity: Severity
    summary: str
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a reporter formats: findings in report order, counts and rule metadata."""

    findings: tuple[Finding, ...]
    summary: Summary
    rules: dict[str, RuleInfo]
    files: tuple[str, ...] = ()
    tool_version: str = ""

    @classmethod
    def build(
        cls,
        findings: list[Finding],
        rules: dict[str, RuleInfo],
        *,
        files: list[str],
        objects: int,
        tool_version: str,
    ) -> Report:
        """Sort findings deterministically and count them."""
        ordered = tuple(sorted(findings, key=Finding.sort_key))
        return cls(
            findings=ordered,
            summary=Summary.of(list(ordered), files=len(files), objects=objects),
            rules=rules,
            files=tuple(files),
            tool_version=tool_version,
        )
