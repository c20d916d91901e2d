"""How the rule engine runs a live rule against a snapshot: declared facts, subjects, and
``unknown`` derived from what could not be read.

A live rule declares the snapshot collections it reads (``Rule.reads``) and walks its subjects
(apps, mailboxes, providers) through the iterators of :mod:`._base`, each of which opens a
*frame* for the subject. While the rule runs, every lookup in the snapshot is reported here
(:data:`mailoauth_cfg.live.facts.OBSERVER`):

* a lookup of a collection the rule did not declare is a programming error
  (:class:`UndeclaredFact`), so the declarations stay true;
* a lookup that returned :class:`~mailoauth_cfg.live.facts.Unknown` marks the frame;
* a ``fail`` finding the rule yields in a marked frame becomes ``unknown`` (the verdict rests on
  a fact that was not read: a transient outage never turns into an error);
* a marked frame that yielded no ``unknown`` finding gets one when it closes, so a subject whose
  facts could not be read is never a silent pass;
* a frame that read facts and found none missing has been *decided* from the tenant: in an
  ``--online`` run the offline findings the rule ``supersedes`` give way on that object.

Reads that only shape a message (an ID for a fix) can be made under :meth:`Recorder.quietly`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from mailoauth_cfg.findings import Finding, ObjectRef, Status
from mailoauth_cfg.live.facts import NOT_FETCHED, OBSERVER, Unknown
from mailoauth_cfg.live.snapshot import Snapshot
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rules._base import Context, Rule


class UndeclaredFact(AssertionError):
    """A live rule read a snapshot collection it does not declare in ``reads``."""


def unknown_fix(reason: str) -> str:
    """What to do about a fact that could not be read, by why it could not."""
    if "HTTP 401" in reason or "HTTP 403" in reason or "the checker needs" in reason:
        return (
            "give the checker the permissions `mailoauth-cfg permissions` lists, then run "
            "`validate --online` again"
        )
    if NOT_FETCHED in reason or "not in the snapshot" in reason:
        return "take a new snapshot: `validate --online --save-snapshot FILE`"
    if "--timeout" in reason:
        return "run `validate --online` again when the service answers, or with a larger --timeout"
    if "no Google API exposes" in reason:
        return "check it by hand, then attest it with a suppress: entry (reason, expiry)"
    return (
        "the service failed or throttled the read (a transient fault): run `validate --online` "
        "again; nothing in the config needs to change"
    )


@dataclass
class Frame:
    """One subject of a live rule (an app, a mailbox, a provider) and what reading it found."""

    object: ObjectRef
    path: PathKey
    label: str
    reads: int = 0
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    """``(collection, key, reason)`` of each lookup that returned ``Unknown``."""
    reported: bool = False
    """An ``unknown`` finding of this frame has been yielded."""

    def why(self) -> str:
        """The missing facts and their reasons, in one line."""
        parts: list[str] = []
        for collection, key, reason in self.missing:
            label = collection.replace("_", " ")
            named = key.lower() in reason.lower() if key else label in reason.lower()
            text = reason if named else f"{label}{f' of {key}' if key else ''}: {reason}"
            if text not in parts:
                parts.append(text)
        return "; ".join(parts)


class Recorder:
    """One run of one live rule: declared facts, frames, and the findings they produce."""

    def __init__(self, rule: Rule[Any], ctx: Context, facts: LiveFacts) -> None:
        self.rule = rule
        self.ctx = ctx
        self.facts = facts
        self.snapshot = facts.snapshot
        self.declared = frozenset(rule.reads)
        self.frame: Frame | None = None
        self._quiet = 0
        self._pending: list[Finding] = []

    # -- frames ----------------------------------------------------------------------------
    def enter(self, object: ObjectRef, path: PathKey, label: str) -> None:
        """Start the subject ``object`` (closing the previous one)."""
        self.leave()
        self.frame = Frame(object, path, label)

    def leave(self) -> None:
        """Close the current subject: an ``unknown`` finding if facts were missing and none was
        reported; decided when everything read was there and nothing was left unknown."""
        frame, self.frame = self.frame, None
        if frame is None:
            return
        if frame.missing and not frame.reported:
            why = frame.why()
            self._pending.append(
                Finding(
                    rule=self.rule.id,
                    severity=self.rule.severity,
                    message=f"could not check {frame.label}: {why}",
                    location=self.ctx.marks.location(frame.path),
                    fix=unknown_fix(why),
                    object=frame.object,
                    status=Status.UNKNOWN,
                    help=self.rule.summary,
                )
            )
        if frame.reads and not frame.missing and not frame.reported:
            self.facts.decided.add((self.rule.id, frame.object.key))

    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Lookups inside do not decide the result (they only shape a message or a fix)."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    # -- the observer ------------------------------------------------------------------------
    def observe(self, collection: str, key: str, result: object) -> None:
        """Told of every snapshot lookup while the rule runs."""
        if collection not in self.declared:
            raise UndeclaredFact(
                f"live rule {self.rule.id} read {collection!r}, which it does not declare in "
                f"reads={sorted(self.declared)!r}"
            )
        if self._quiet:
            return
        if self.frame is None:
            raise UndeclaredFact(
                f"live rule {self.rule.id} read {collection!r} outside a subject: iterate with "
                "the helpers of mailoauth_cfg.live.rules._base"
            )
        self.frame.reads += 1
        if isinstance(result, Unknown):
            self.frame.missing.append((collection, key, result.reason))

    def judge(self, found: Finding) -> Finding:
        """``found`` as it stands given what its subject could read."""
        frame = self.frame
        if frame is None:
            return found
        if found.status is Status.UNKNOWN:
            frame.reported = True
            return found
        if found.status is Status.FAIL and frame.missing:
            frame.reported = True
            why = frame.why()
            return replace(
                found,
                status=Status.UNKNOWN,
                message=f"could not check {frame.label}: {why} (from the facts that could be "
                f"read: {found.message})",
                fix=unknown_fix(why),
            )
        return found

    def drain(self) -> list[Finding]:
        """The ``unknown`` findings of the subjects closed so far."""
        out, self._pending = self._pending, []
        return out


class LiveFacts:
    """The live facts of a run (a snapshot), as the rule engine's ``facts``."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.decided: set[tuple[str, tuple[str, str]]] = set()
        """``(rule id, ObjectRef.key)`` for every subject a live rule decided from complete
        facts."""

    def check(self, rule: Rule[Any], ctx: Context, options: Any) -> Iterator[Finding]:
        """Run ``rule`` with every lookup observed (see the module docstring)."""
        recorder = Recorder(rule, ctx, self)
        findings = rule.check(replace(ctx, facts=recorder), options)
        while True:
            token = OBSERVER.set(recorder.observe)
            try:
                found = next(findings, None)
                if found is None:
                    recorder.leave()
            finally:
                OBSERVER.reset(token)
            yield from recorder.drain()
            if found is None:
                return
            yield recorder.judge(found)
