"""Findings: what a check says about a config, about which object, and where.

A :class:`Finding` is plain data. Rules produce them, reporters format them, and
:meth:`Report.exit_code` turns them into the exit code the CLI and the Ansible modules use.
Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import field, replace
from typing import Any, Literal

from mailoauth_cfg.locations import Location
from mailoauth_cfg.records import record

__all__ = [
    "Edit",
    "ExitCode",
    "Finding",
    "Location",
    "ObjectKind",
    "ObjectRef",
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


ObjectKind = Literal["provider", "app", "user", "target"]
"""The sections of a config whose entries findings are about."""


@record(hot=True)
class ObjectRef:
    """A typed reference to the config object a finding is about.

    Built with :meth:`provider`, :meth:`app`, :meth:`user` or :meth:`target`; shown as
    ``target:erp`` or ``user:a@b.c``. Suppressions are matched on :attr:`key`, so a mailbox
    matches whatever the case of its address.
    """

    kind: ObjectKind
    name: str
    """Provider, app or target name, or the mailbox address."""
    index: int | None = None
    """For a ``users`` entry whose address could not be read: its position in the list."""

    @classmethod
    def provider(cls, name: str) -> ObjectRef:
        """``provider:<name>``."""
        return cls("provider", name)

    @classmethod
    def app(cls, name: str) -> ObjectRef:
        """``app:<name>``."""
        return cls("app", name)

    @classmethod
    def user(cls, email: str) -> ObjectRef:
        """``user:<address>``."""
        return cls("user", email)

    @classmethod
    def user_entry(cls, index: int) -> ObjectRef:
        """``user:#<index>``: the ``users`` entry at ``index`` (its address is unknown)."""
        return cls("user", "", index)

    @classmethod
    def target(cls, name: str) -> ObjectRef:
        """``target:<name>``."""
        return cls("target", name)

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the object: mailbox addresses compare case-insensitively."""
        if self.index is not None:
            return (self.kind, f"#{self.index}")
        return (self.kind, self.name.lower() if self.kind == "user" else self.name)

    def __str__(self) -> str:
        if self.index is not None:
            return f"{self.kind}:#{self.index}"
        return f"{self.kind}:{self.name}"


class ExitCode(enum.IntEnum):
    """The documented exit codes (scripts and CI depend on them)."""

    CLEAN = 0
    """No finding at or above the threshold."""
    FINDINGS = 1
    """Findings at or above the threshold (a config that does not parse is one)."""
    USAGE = 2
    """Usage error, or a config file that does not exist."""
    INCOMPLETE = 3
    """A live check could not complete: some results are ``unknown``."""
    NOTHING_CHECKED = 4
    """The configs declare no object."""


EditOp = Literal["set", "add", "remove", "delete", "rename"]


@record(hot=True)
class Edit:
    """A change to the YAML that resolves a finding, as data (``validate --fix`` applies it).

    ``path`` is a key path of the merged document (``("targets", "erp", "scopes")``):

    * ``set``: set the key at ``path`` to ``value`` (creating missing parent mappings);
    * ``add``: append ``value`` to the list at ``path`` (created when missing) unless present;
    * ``remove``: remove ``value`` from the list at ``path``;
    * ``delete``: delete the key at ``path``;
    * ``rename``: rename the key at ``path`` to ``value`` in place (a misspelt key).

    Values are plain data (text, numbers, booleans, lists, mappings; dates as ``YYYY-MM-DD``).
    """

    op: EditOp
    path: tuple[str | int, ...]
    value: Any = None

    def describe(self) -> str:
        """``set targets.erp.tenant = common`` (for reports)."""
        from mailoauth_cfg.locations import format_path

        where = format_path(self.path)
        if self.op == "delete":
            return f"delete {where}"
        if self.op == "set":
            return f"set {where} = {self.value!r}"
        if self.op == "rename":
            return f"rename {where} to {self.value!r}"
        return f"{self.op} {self.value!r} {'to' if self.op == 'add' else 'from'} {where}"


@record
class Suppression:
    """Why a finding was silenced, as written next to the object in the config."""

    reason: str
    expires: str | None = None
    location: Location | None = None


@record(hot=True)
class Finding:
    """One thing a check found.

    ``fix`` is always concrete: the value to set, the cmdlet, the portal path or the URL.
    ``object`` refers to the config object it is about (``None`` for a file-level finding).
    """

    rule: str
    severity: Severity
    message: str
    location: Location
    fix: str = ""
    object: ObjectRef | None = None
    status: Status = Status.FAIL
    help: str = ""
    suppression: Suppression | None = None
    related: tuple[Location, ...] = field(default=())
    edits: tuple[Edit, ...] = field(default=())
    """The fix as YAML changes, when the fix is a change to the config (``validate --fix``)."""

    @property
    def object_name(self) -> str:
        """The object as reports show it (``target:erp``), empty when there is none."""
        return "" if self.object is None else str(self.object)

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
        return (
            loc.file,
            loc.line,
            loc.column,
            self.rule,
            self.message,
            loc.path,
            self.object_name,
        )


@record
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


@record
class RuleInfo:
    """What reporters need to know about a rule (SARIF ``tool.driver.rules``, ``explain``)."""

    id: str
    severity: Severity
    summary: str
    doc: str = ""
    impacts: tuple[tuple[Severity, str], ...] = ()
    """Each severity the rule reports, with what it means for the mail flow then."""
    fixable: bool = False
    """Its findings carry the fix as YAML changes (``validate --fix``)."""


@record
class Report:
    """Everything a reporter formats: findings in report order, counts and rule metadata."""

    findings: tuple[Finding, ...]
    summary: Summary
    rules: Mapping[str, RuleInfo]
    """Metadata by rule ID (may be read lazily: only SARIF lists it)."""
    files: tuple[str, ...] = ()
    tool_version: str = ""

    @classmethod
    def build(
        cls,
        findings: list[Finding],
        rules: Mapping[str, RuleInfo],
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

    def exit_code(self, fail_on: Severity = Severity.ERROR) -> ExitCode:
        """The exit code of this report with threshold ``fail_on``.

        Findings at or above the threshold give 1, which wins over 3 (some results
        ``unknown``); 4 when no object was checked; else 0.
        """
        if any(f.status is Status.FAIL and f.severity >= fail_on for f in self.findings):
            return ExitCode.FINDINGS
        if any(f.status is Status.UNKNOWN for f in self.findings):
            return ExitCode.INCOMPLETE
        if self.summary.objects == 0:
            return ExitCode.NOTHING_CHECKED
        return ExitCode.CLEAN
